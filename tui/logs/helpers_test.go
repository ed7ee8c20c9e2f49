package logs

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/internal/drive"
	"github.com/swarmtop/swarmtop/tui/styles"
)

// t0 is the fixed time of every test, so golden files never change.
var t0 = time.Date(2026, 11, 22, 5, 8, 0, 0, time.UTC)

// fakeStream is a stream fed by the test through a channel.
type fakeStream struct {
	ch     chan swarm.LogLine
	err    error
	closed atomic.Bool
	once   sync.Once
}

func newFakeStream(buffer int) *fakeStream {
	return &fakeStream{ch: make(chan swarm.LogLine, buffer)}
}

func (s *fakeStream) Lines() <-chan swarm.LogLine { return s.ch }
func (s *fakeStream) Err() error                  { return s.err }
func (s *fakeStream) Close() {
	s.closed.Store(true)
	s.once.Do(func() { close(s.ch) })
}

// fakeBackend records each subscription and hands out fake streams.
type fakeBackend struct {
	mu      sync.Mutex
	opts    []swarm.LogOptions
	streams []*fakeStream
	err     error
}

func (b *fakeBackend) Logs(_ context.Context, stack string, opts swarm.LogOptions) (Stream, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.opts = append(b.opts, opts)
	if b.err != nil {
		return nil, b.err
	}
	s := newFakeStream(4096)
	b.streams = append(b.streams, s)
	return s, nil
}

func (b *fakeBackend) calls() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.opts)
}

// newTestModel opens a view on a fake backend, as the root would, without
// starting the read loop: tests feed lines themselves.
func newTestModel(t testing.TB, w, h int, services ...string) (*Model, *fakeBackend) {
	t.Helper()
	be := &fakeBackend{}
	m := New(&common.Common{Styles: styles.New(true, false)}, be, "shop", services)
	m.SetClock(func() time.Time { return t0.Add(time.Minute) })
	m.SetSaveDir(t.TempDir())
	m.SetSize(w, h)
	openStream(t, m, m.Init())
	return m, be
}

// openStream runs the commands of a (re)subscription up to the open.
func openStream(t testing.TB, m *Model, cmd tea.Cmd) {
	t.Helper()
	for _, msg := range runCmd(cmd) {
		if tg, ok := msg.(common.Tagged); ok {
			if _, ok := tg.Msg.(openedMsg); ok {
				m.Update(msg) // returns the read loop's command, not run here
			}
		}
	}
}

// runCmd runs a command and the commands of a batch; it must not block.
func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runCmd(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// feed delivers lines as one batch of the current stream.
func feed(m *Model, lines ...swarm.LogLine) {
	m.Update(common.Tagged{View: m.ID(), Msg: linesMsg{gen: m.gen, lines: lines}})
}

// press sends keys as the terminal parser builds them.
func press(m *Model, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		_, cmd = m.Update(keyMsg(k))
	}
	return cmd
}

func keyMsg(k string) tea.KeyPressMsg { return drive.Key(k) }

// typeText types a string into whatever has the keys.
func typeText(m *Model, s string) {
	for _, r := range s {
		m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func screen(m *Model) string { return ansi.Strip(m.View()) }

// sampleLines is a small incident: two web replicas and a worker, a 502,
// a traceback on stderr.
func sampleLines() []swarm.LogLine {
	mk := func(ms int, svc string, slot int, node, text string, stderr bool) swarm.LogLine {
		return swarm.LogLine{Time: t0.Add(time.Duration(ms) * time.Millisecond), Service: svc, Slot: slot,
			Node: node, TaskID: fmt.Sprintf("%s%d", svc, slot), Stderr: stderr, Text: text}
	}
	return []swarm.LogLine{
		mk(0, "web", 1, "node-1", `10.0.0.5 - - "GET /healthz HTTP/1.1" 200 2`, false),
		mk(120, "web", 2, "node-2", `10.0.0.7 - - "GET /api/orders/17 HTTP/1.1" 200 512`, false),
		mk(250, "worker", 1, "node-3", `[celery] Task orders.sync[6f1c] received`, false),
		mk(300, "web", 1, "node-1", `10.0.0.5 - - "POST /api/checkout HTTP/1.1" 502 166`, false),
		mk(310, "worker", 1, "node-3", `Traceback (most recent call last):`, true),
		mk(311, "worker", 1, "node-3", `  File "/app/orders/tasks.py", line 42, in sync`, true),
		mk(312, "worker", 1, "node-3", `psycopg.OperationalError: connection to server at "db" (10.0.1.4), port 5432 failed: timeout expired`, true),
		mk(400, "web", 2, "node-2", `10.0.0.7 - - "GET /api/orders/18 HTTP/1.1" 200 498`, false),
		mk(520, "worker", 1, "node-3", `[celery] retrying orders.sync[6f1c] in 10s`, false),
		mk(600, "web", 1, "node-1", `WARNING slow query: SELECT * FROM orders WHERE customer_id = 991 (1840 ms)`, true),
	}
}

// numbered makes n plain lines of one task.
func numbered(from, n int) []swarm.LogLine {
	out := make([]swarm.LogLine, n)
	for i := range out {
		out[i] = swarm.LogLine{Time: t0.Add(time.Duration(from+i) * time.Millisecond), Service: "web", Slot: 1,
			Node: "node-1", Text: fmt.Sprintf("line %d", from+i)}
	}
	return out
}
