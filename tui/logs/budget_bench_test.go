package logs

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/swarmtop/swarmtop/swarm"
)

// firehoseBatch is what the read loop hands the view from a service
// writing 10,000 lines a second: one batch per batchWindow (50 ms).
const firehoseBatch = 10000 * int(batchWindow/1e6) / 1000

// BenchmarkFirehoseKeyFrame is the TUI budget "with a service logging
// 10,000 lines/s the UI answers a key within 50 ms and memory stays flat"
// (BENCHMARKS.md, "TUI budgets"), on the model alone: each op is one
// 50 ms batch of lines, one key (T, timestamps on/off) and the frame that
// shows it, so ns/op bounds what a key waits for behind the stream.
// heap-growth-B is the live heap after the loop minus the live heap once
// the buffer had filled, after a GC each time; it stays near zero however
// many lines went through.
func BenchmarkFirehoseKeyFrame(b *testing.B) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		b.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(b *testing.B) {
			m, _ := newTestModel(b, sz.w, sz.h, "web", "worker")
			batches := firehose(20) // one second's worth, replayed
			for _, batch := range batches[:DefaultBufferSize/firehoseBatch+1] {
				feed(m, batch...) // fill the buffer first
			}
			before := liveHeap()
			lines := 0
			b.ReportAllocs()
			for b.Loop() {
				batch := batches[lines/firehoseBatch%len(batches)]
				feed(m, batch...)
				lines += len(batch)
				press(m, "T")
				_ = m.View()
			}
			b.ReportMetric(float64(liveHeap()-before), "heap-growth-B")
			runtime.KeepAlive(m) // both still live when the heap is read
			runtime.KeepAlive(batches)
			b.ReportMetric(float64(lines)/float64(b.N), "lines/op")
		})
	}
}

// BenchmarkFilteredBatchKeyFrame is the same budget in the heaviest case
// the view has: a full buffer, a filter and highlighting on, and the key
// (n) jumping to the next match, behind a 1,000-line batch.
func BenchmarkFilteredBatchKeyFrame(b *testing.B) {
	m, _ := newTestModel(b, 120, 40)
	feed(m, numbered(0, DefaultBufferSize)...) // a full buffer
	press(m, "/")
	typeText(m, "line 1")
	press(m, "enter", "H")
	next := DefaultBufferSize
	for b.Loop() {
		feed(m, numbered(next, 1000)...)
		next += 1000
		press(m, "n")
		_ = m.View()
	}
}

// firehose is n batches of lines from two services, some long, some
// errors, as a busy web tier writes them.
func firehose(n int) [][]swarm.LogLine {
	out := make([][]swarm.LogLine, n)
	for i := range out {
		batch := numbered(i*firehoseBatch, firehoseBatch)
		for j := range batch {
			switch j % 10 {
			case 0:
				batch[j].Service, batch[j].Slot = "worker", 2
				batch[j].Text = fmt.Sprintf(`ERROR "POST /api/checkout HTTP/1.1" 502 %d upstream timed out while reading the response header from upstream`, j)
			case 5:
				batch[j].Stderr = true
			}
		}
		out[i] = batch
	}
	return out
}

func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}
