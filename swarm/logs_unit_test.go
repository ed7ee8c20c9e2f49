package swarm

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/swarm"
)

// muxFrame appends one frame of the engine's multiplexed log stream. The
// api module's stdcopy has no writer (it left with the daemon), so the
// 8-byte header is written here: stream, three zero bytes, big-endian size.
func muxFrame(b []byte, stream stdcopy.StdType, msg string) []byte {
	var hdr [8]byte
	hdr[0] = byte(stream)
	binary.BigEndian.PutUint32(hdr[4:], uint32(len(msg)))
	return append(append(b, hdr[:]...), msg...)
}

var t0 = time.Date(2026, 11, 22, 5, 0, 0, 0, time.UTC)

// stamp is a message as the engine frames it with timestamps on.
func stamp(offset time.Duration, text string) string {
	return t0.Add(offset).Format(time.RFC3339Nano) + " " + text
}

// readAll demultiplexes a stream the way a task reader does, cleaning
// included.
func readAll(t *testing.T, stream []byte, tty bool) []LogLine {
	t.Helper()
	task := logTask{id: "t1", service: "web", slot: 1, node: "node-1", tty: tty}
	var lines []LogLine
	err := demuxLogs(bytes.NewReader(stream), tty, func(r rawLine) error {
		lines = append(lines, task.line(r.time, r.stderr, r.text))
		return nil
	})
	if err != nil {
		t.Fatalf("demux: %v", err)
	}
	return lines
}

func TestDemuxSplitsCleansAndJoins(t *testing.T) {
	var s []byte
	s = muxFrame(s, stdcopy.Stdout, stamp(0, "booting version 1\n"))
	s = muxFrame(s, stdcopy.Stderr, stamp(1, "\x1b]52;c;ZXZpbA==\x07\x1b[2Jwarning: low disk\n"))
	s = muxFrame(s, stdcopy.Stdout, stamp(2, "title \x1b]0;pwned\x1b\\set\r\n"))
	// The engine splits a long line into messages without newlines.
	s = muxFrame(s, stdcopy.Stdout, stamp(3, "part one, "))
	s = muxFrame(s, stdcopy.Stderr, stamp(4, "stderr between parts\n"))
	s = muxFrame(s, stdcopy.Stdout, stamp(5, "part two\n"))
	s = muxFrame(s, stdcopy.Stdout, stamp(6, "")) // empty message: nothing
	s = muxFrame(s, stdcopy.Stdout, stamp(7, "\n"))
	s = muxFrame(s, stdcopy.Stdout, stamp(8, "Password: ")) // no newline, stream ends

	got := readAll(t, s, false)
	want := []struct {
		at     time.Duration
		stderr bool
		text   string
	}{
		{0, false, "booting version 1"},
		{1, true, "warning: low disk"},
		{2, false, "title set"},
		{4, true, "stderr between parts"},
		{3, false, "part one, part two"},
		{6, false, ""},
		{8, false, "Password: "},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Text != w.text || g.Stderr != w.stderr || !g.Time.Equal(t0.Add(w.at)) {
			t.Errorf("line %d = %q stderr=%v at %v, want %q stderr=%v at %v",
				i, g.Text, g.Stderr, g.Time.Sub(t0), w.text, w.stderr, w.at)
		}
		if g.Prefix() != "web.1@node-1" || g.TaskID != "t1" {
			t.Errorf("line %d from %s (%s)", i, g.Prefix(), g.TaskID)
		}
	}
}

func TestDemuxCutsLongLines(t *testing.T) {
	part := strings.Repeat("é", 8<<10) // 16 KiB a part, as the engine splits
	var s []byte
	s = muxFrame(s, stdcopy.Stdout, stamp(0, part))
	s = muxFrame(s, stdcopy.Stdout, stamp(1, part))
	s = muxFrame(s, stdcopy.Stdout, stamp(2, "tail\n"))
	s = muxFrame(s, stdcopy.Stdout, stamp(3, "next\n"))
	got := readAll(t, s, false)
	if len(got) != 2 || got[1].Text != "next" {
		t.Fatalf("got %d lines, want the long one and next", len(got))
	}
	long := got[0]
	if !long.Time.Equal(t0) {
		t.Errorf("long line stamped %v, want its first part's time", long.Time.Sub(t0))
	}
	wantText := part + " [… 16388 more bytes cut by swarmtop]"
	if long.Text != wantText {
		t.Errorf("long line is %d bytes ending %q, want %d bytes ending %q",
			len(long.Text), long.Text[len(long.Text)-40:], len(wantText), wantText[len(wantText)-40:])
	}
}

func TestDemuxCutsOnARuneBoundary(t *testing.T) {
	var s []byte
	s = muxFrame(s, stdcopy.Stdout, stamp(0, "x"+strings.Repeat("é", 9000)+"\n"))
	got := readAll(t, s, false)
	if len(got) != 1 || !strings.HasSuffix(got[0].Text, " more bytes cut by swarmtop]") {
		t.Fatalf("got %d lines, want one cut line", len(got))
	}
	if strings.ContainsRune(got[0].Text, '\uFFFD') {
		t.Errorf("the cut split a rune: %q", got[0].Text[logMaxLine-8:logMaxLine+8])
	}
}

func TestDemuxRawTTYStream(t *testing.T) {
	long := strings.Repeat("y", 40<<10) // longer than the reader's buffer
	stream := stamp(0, "prompt$ ls\r\n") +
		stamp(1, "\x1b[1;32mok\x1b[0m\r\n") +
		stamp(2, long+"\r\n") +
		stamp(3, "no newline at the end")
	got := readAll(t, []byte(stream), true)
	texts := make([]string, len(got))
	for i, l := range got {
		texts[i] = l.Text
		if l.Stderr {
			t.Errorf("TTY line %d marked stderr", i)
		}
	}
	want := []string{"prompt$ ls", "ok", long[:logMaxLine] + " [… 24577 more bytes cut by swarmtop]", "no newline at the end"}
	if !slices.Equal(texts, want) {
		t.Errorf("got %d lines %.60q…, want %d", len(texts), texts, len(want))
	}
	if !got[3].Time.Equal(t0.Add(3)) {
		t.Errorf("last line at %v", got[3].Time.Sub(t0))
	}
}

func TestDemuxReportsDaemonError(t *testing.T) {
	var s []byte
	s = muxFrame(s, stdcopy.Stdout, stamp(0, "before\n"))
	s = muxFrame(s, stdcopy.Systemerr, "task not found")
	var n int
	err := demuxLogs(bytes.NewReader(s), false, func(rawLine) error { n++; return nil })
	if err == nil || !strings.Contains(err.Error(), "task not found") || n != 1 {
		t.Errorf("err = %v after %d lines, want the daemon's error after 1", err, n)
	}
}

func TestStallWatchdogCountsOnlyWaitsOnTheEngine(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	fired := make(chan struct{})
	watchdog := time.AfterFunc(time.Hour, func() { close(fired) })
	watchdog.Stop()
	r := &stallReader{r: pr, watchdog: watchdog, limit: 50 * time.Millisecond}
	buf := make([]byte, 8)

	go pw.Write([]byte("x"))
	if _, err := r.Read(buf); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond) // a slow consumer: nobody reads
	select {
	case <-fired:
		t.Fatal("the watchdog fired while the consumer, not the engine, was slow")
	default:
	}
	go r.Read(buf) // now the engine is silent
	select {
	case <-fired:
	case <-time.After(2 * time.Second):
		t.Fatal("the watchdog did not fire on a silent engine")
	}
}

func TestLogLinePrefix(t *testing.T) {
	tests := []struct {
		line LogLine
		want string
	}{
		{LogLine{Service: "web", Slot: 2, Node: "node-1"}, "web.2@node-1"},
		{LogLine{Service: "nginx", Node: "edge-3"}, "nginx@edge-3"}, // global: no slot
		{LogLine{Service: "web", Slot: 1}, "web.1"},
	}
	for _, tt := range tests {
		if got := tt.line.Prefix(); got != tt.want {
			t.Errorf("Prefix() = %q, want %q", got, tt.want)
		}
	}
}

// mergeRun runs a merger and collects what it emits.
type mergeRun struct {
	m    *logMerger
	out  chan LogLine
	done chan struct{}
	got  []LogLine
}

func startMerge(window time.Duration, consumerBuffer int) *mergeRun {
	r := &mergeRun{out: make(chan LogLine, consumerBuffer), done: make(chan struct{})}
	r.m = newLogMerger(r.out, window)
	go func() {
		r.m.run(context.Background())
		close(r.out)
	}()
	return r
}

func (r *mergeRun) collect() []LogLine {
	for l := range r.out {
		r.got = append(r.got, l)
	}
	return r.got
}

func line(task string, at time.Duration) LogLine {
	return LogLine{TaskID: task, Time: t0.Add(at), Text: fmt.Sprintf("%s@%v", task, at)}
}

func texts(lines []LogLine) []string {
	s := make([]string, len(lines))
	for i, l := range lines {
		s[i] = l.Text
	}
	return s
}

func TestMergeOrdersHistoryExactly(t *testing.T) {
	r := startMerge(time.Second, 16)
	a, b := r.m.add(), r.m.add()
	r.m.closeInput()
	ctx := context.Background()
	// a delivers its whole history before b delivers anything.
	for _, at := range []time.Duration{1, 3, 5, 7} {
		a.send(ctx, line("a", at))
	}
	a.close()
	for _, at := range []time.Duration{2, 4, 6, 8} {
		b.send(ctx, line("b", at))
	}
	b.close()
	got := texts(r.collect())
	want := []string{"a@1ns", "b@2ns", "a@3ns", "b@4ns", "a@5ns", "b@6ns", "a@7ns", "b@8ns"}
	if !slices.Equal(got, want) {
		t.Errorf("merged %v, want %v", got, want)
	}
}

func TestMergeLateLineGoesInPlace(t *testing.T) {
	r := startMerge(time.Second, 16)
	a, b := r.m.add(), r.m.add()
	ctx := context.Background()
	a.send(ctx, line("a", 2))
	time.Sleep(50 * time.Millisecond) // well within the window
	b.send(ctx, line("b", 1))
	a.close()
	b.close()
	r.m.closeInput()
	if got, want := texts(r.collect()), []string{"b@1ns", "a@2ns"}; !slices.Equal(got, want) {
		t.Errorf("merged %v, want %v", got, want)
	}
}

func TestMergeQuietSourceDelaysOnlyByWindow(t *testing.T) {
	const window = 100 * time.Millisecond
	r := startMerge(window, 16)
	a, _ := r.m.add(), r.m.add() // the second source stays open and silent
	start := time.Now()
	a.send(context.Background(), line("a", 1))
	select {
	case l := <-r.out:
		if waited := time.Since(start); waited < window || waited > window+2*time.Second {
			t.Errorf("line %q came after %v, want about the window (%v)", l.Text, waited, window)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a quiet source held the stream up")
	}
}

func TestMergeBackpressureBoundsMemory(t *testing.T) {
	r := startMerge(logHistoryWindow, logOutputBuffer)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const perSource = 60000
	text := strings.Repeat("x", 100)
	var sent atomic.Int64
	var wg sync.WaitGroup
	for _, name := range []string{"a", "b"} {
		src := r.m.add()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer src.close()
			for i := range perSource {
				if src.send(ctx, LogLine{TaskID: name, Time: t0.Add(time.Duration(i)), Text: text}) != nil {
					return
				}
				sent.Add(1)
			}
		}()
	}
	quiet := r.m.add() // open and silent: the merge holds lines for it
	r.m.closeInput()

	// Nobody reads: the readers must stop once the buffers are full.
	time.Sleep(500 * time.Millisecond)
	held := sent.Load()
	limit := int64(logMergeHeld/(len(text)+logLineOverhead) + 2*logSourceBuffer + logOutputBuffer + 2)
	if held > limit || held == 2*perSource {
		t.Fatalf("%d lines accepted with no consumer, want at most %d", held, limit)
	}
	quiet.close()
	got := r.collect()
	wg.Wait()
	if len(got) != 2*perSource {
		t.Fatalf("got %d lines, want all %d: backpressure must not drop", len(got), 2*perSource)
	}
	// Across sources the order depends on timing (a starved reader counts
	// as quiet); within a source it never changes.
	last := map[string]time.Time{}
	for _, l := range got {
		if l.Time.Before(last[l.TaskID]) {
			t.Fatalf("lines of %s out of order", l.TaskID)
		}
		last[l.TaskID] = l.Time
	}
	t.Logf("held %d lines (limit %d) while the consumer was away", held, limit)
}

func TestLogStreamErrAndCloseWithoutEngine(t *testing.T) {
	// A stream whose merge ends by itself reports the session's error; one
	// ended by Close reports nil.
	s := &LogStream{lines: make(chan LogLine), cancel: func() {}, done: make(chan struct{})}
	if s.Err() != nil {
		t.Error("Err before the end should be nil")
	}
	if err := s.endError(context.Background(), fmt.Errorf("boom")); err == nil {
		t.Error("a failure should be reported")
	}
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.endError(ended, fmt.Errorf("boom")); err != context.Canceled {
		t.Errorf("after the caller's context ended, Err = %v, want %v", err, context.Canceled)
	}
	s.closing.Store(true)
	if err := s.endError(context.Background(), fmt.Errorf("boom")); err != nil {
		t.Errorf("after Close, Err = %v", err)
	}
}

// BenchmarkLogDemuxMerge measures lines per second from several tasks'
// multiplexed streams through demultiplexing, line assembly, cleaning and
// the merge, as a history read (no follow) runs them.
func BenchmarkLogDemuxMerge(b *testing.B) {
	const tasks, perTask = 4, 25000
	streams := make([][]byte, tasks)
	for i := range streams {
		var s []byte
		for n := range perTask {
			msg := stamp(time.Duration(n*tasks+i)*time.Microsecond,
				fmt.Sprintf("[pid: 7|app: 0|req: %d/%d] 10.0.1.8 () GET /api/orders/ => generated 4023 bytes in 19 msecs (HTTP/1.1 200)\n", n, n*2))
			s = muxFrame(s, stdcopy.Stdout, msg)
		}
		streams[i] = s
	}
	b.ResetTimer()
	total := 0
	for b.Loop() {
		total += demuxMergeOnce(b, streams)
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "lines/s")
}

func demuxMergeOnce(b *testing.B, streams [][]byte) int {
	out := make(chan LogLine, logOutputBuffer)
	m := newLogMerger(out, logHistoryWindow)
	ctx := context.Background()
	for i, s := range streams {
		src := m.add()
		task := logTask{id: fmt.Sprint(i), service: "web", slot: i + 1, node: "node-1"}
		go func() {
			defer src.close()
			err := demuxLogs(bytes.NewReader(s), false, func(r rawLine) error {
				return src.send(ctx, task.line(r.time, r.stderr, r.text))
			})
			if err != nil {
				b.Error(err)
			}
		}()
	}
	m.closeInput()
	go func() {
		m.run(ctx)
		close(out)
	}()
	n := 0
	for range out {
		n++
	}
	return n
}

func TestLogTaskSelection(t *testing.T) {
	withContainer := func(id string, desired, state swarm.TaskState) swarm.Task {
		return swarm.Task{ID: id, DesiredState: desired, Status: swarm.TaskStatus{State: state,
			ContainerStatus: &swarm.ContainerStatus{ContainerID: "c-" + id}}}
	}
	running := withContainer("run", swarm.TaskStateRunning, swarm.TaskStateRunning)
	replaced := withContainer("old", swarm.TaskStateShutdown, swarm.TaskStateShutdown)
	job := withContainer("job", swarm.TaskStateComplete, swarm.TaskStateComplete)
	crashed := withContainer("crash", swarm.TaskStateShutdown, swarm.TaskStateFailed) // born and died between polls
	pending := swarm.Task{ID: "pending", DesiredState: swarm.TaskStateRunning, Status: swarm.TaskStatus{State: swarm.TaskStatePending}}
	// A replacement waiting out its restart delay: the orchestrator wants it
	// ready, then running. It is current, and stays followed once it runs.
	waiting := withContainer("waiting", swarm.TaskStateReady, swarm.TaskStateReady)

	s := &logSession{old: map[string]bool{}}
	s.noteInitial([]swarm.Task{running, replaced, job, pending, waiting})
	tests := []struct {
		task             swarm.Task
		atStart, allTask bool
		want             bool
	}{
		{running, true, false, true},
		{replaced, true, false, false},
		{replaced, true, true, true},
		{job, true, false, true},
		{pending, true, false, false}, // no container, no logs yet
		{pending, false, true, false},
		{replaced, false, false, false}, // dead before the follow began
		{crashed, false, false, true},   // new since the follow began
		{waiting, true, false, true},
		{waiting, false, false, true},
	}
	for _, tt := range tests {
		s.opts.AllTasks = tt.allTask
		if got := s.wanted(tt.task, tt.atStart); got != tt.want {
			t.Errorf("wanted(%s, atStart=%v, AllTasks=%v) = %v, want %v", tt.task.ID, tt.atStart, tt.allTask, got, tt.want)
		}
	}
}

func TestLogSessionStopsEndedTasksAfterGrace(t *testing.T) {
	s := &logSession{subs: map[string]*logSub{}}
	var cancelled []string
	for _, id := range []string{"live", "ended", "gone", "read-once"} {
		s.subs[id] = &logSub{follow: id != "read-once", cancel: func() { cancelled = append(cancelled, id) }}
	}
	tasks := []swarm.Task{
		{ID: "live", Status: swarm.TaskStatus{State: swarm.TaskStateRunning}},
		{ID: "ended", Status: swarm.TaskStatus{State: swarm.TaskStateShutdown}},
	}
	now := time.Now()
	s.update(context.Background(), nil, tasks, now)
	if len(cancelled) != 0 {
		t.Fatalf("cancelled %v at once, want a grace for the last lines", cancelled)
	}
	if _, kept := s.subs["read-once"]; kept {
		t.Error("a finished read of a task gone from the history is kept")
	}
	s.update(context.Background(), nil, tasks, now.Add(logEndGrace))
	slices.Sort(cancelled)
	if !slices.Equal(cancelled, []string{"ended", "gone"}) {
		t.Errorf("cancelled %v, want the ended and the vanished task", cancelled)
	}
}
