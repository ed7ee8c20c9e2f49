package logs

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/styles"
)

// The stream's Notes about the engine drive the status line: lost while it
// is gone, following again once lines come back.
func TestLostEngineShowsInTheStatus(t *testing.T) {
	m, _ := newTestModel(t, 100, 10)
	st := styles.New(true, false)
	feed(m, swarm.LogLine{Time: t0, Service: "web", Slot: 1, Text: "hello"})
	lostAt := t0.Add(5 * time.Second)
	feed(m, swarm.LogLine{Time: lostAt, Service: "swarmtop", Note: true, Link: swarm.LinkLost, Text: "lost connection to the engine"})
	want := "engine lost since " + lostAt.Local().Format(time.TimeOnly)
	if got := m.status(st); !strings.Contains(got, want) {
		t.Errorf("status %q lacks %q", got, want)
	}
	feed(m, swarm.LogLine{Time: t0.Add(9 * time.Second), Service: "swarmtop", Note: true, Link: swarm.LinkBack, Text: "back"},
		swarm.LogLine{Time: t0.Add(6 * time.Second), Service: "web", Slot: 1, Text: "again"})
	if got := m.status(st); !strings.Contains(got, "following") {
		t.Errorf("status %q after the engine came back, want following", got)
	}
}

// A stream that ends because the engine is gone is reopened by itself,
// after the newest line held, keeping the lines; another end waits for r.
func TestStreamThatLostTheEngineReopens(t *testing.T) {
	m, be := newTestModel(t, 100, 10)
	feed(m, swarm.LogLine{Time: t0, Service: "web", Slot: 1, Text: "hello"})
	_, cmd := m.Update(common.Tagged{View: m.ID(), Msg: linesMsg{gen: m.gen, done: true, err: io.ErrUnexpectedEOF}})
	if cmd == nil {
		t.Fatal("no retry scheduled after the engine was lost")
	}
	// The retry's tick fires after retryDelay; deliver its message directly.
	openStream(t, m, m.retry(retryMsg{gen: m.gen}))
	if be.calls() != 2 {
		t.Fatalf("%d subscriptions, want the reopen", be.calls())
	}
	opts := be.opts[1]
	if !opts.Since.Equal(t0.Add(time.Nanosecond)) || opts.Tail != -1 || m.buf.len() != 1 {
		t.Errorf("reopened with since %v tail %d and %d lines held; want after the last line, all of it, the line kept",
			opts.Since, opts.Tail, m.buf.len())
	}

	_, cmd = m.Update(common.Tagged{View: m.ID(), Msg: linesMsg{gen: m.gen, done: true, err: errors.New("no such service")}})
	if cmd != nil {
		t.Error("a retry scheduled after an error the engine answered with")
	}
}
