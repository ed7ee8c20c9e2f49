package tui

import (
	"context"
	"testing"
	"time"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/logs"
)

// closedStream hands over a fixed set of lines and ends.
type closedStream struct{ ch chan swarm.LogLine }

func (s closedStream) Lines() <-chan swarm.LogLine { return s.ch }
func (s closedStream) Err() error                  { return nil }
func (s closedStream) Close()                      {}

type fixedLogs struct{ lines []swarm.LogLine }

func (f fixedLogs) Logs(context.Context, string, swarm.LogOptions) (logs.Stream, error) {
	ch := make(chan swarm.LogLine, len(f.lines))
	for _, l := range f.lines {
		ch <- l
	}
	close(ch)
	return closedStream{ch}, nil
}

// The logs view tags its results with its own ID; the root must route them
// back to it, or the view sits at "connecting…" for ever.
func TestLogsViewOpenedFromStackShowsLines(t *testing.T) {
	be := fixedLogs{lines: []swarm.LogLine{{
		Time: time.Date(2026, 11, 22, 5, 0, 0, 0, time.UTC), Service: "web", Slot: 1, Node: "node-1",
		Text: "GET /api/orders/ => generated 1234 bytes",
	}}}
	opts := Options{Stack: "shop", Logs: func(c *common.Common, stack string, services []string) common.Component {
		return logs.New(c, be, stack, services)
	}}
	h := newHarness(t, opts, 80, 24)
	h.keys("l")
	h.wantScreen("web.1@node-1", "GET /api/orders/", "1 line")
	h.notScreen("1 lines")
}

// esc in the logs view first clears an applied filter, as its help says,
// and only then goes back to the stack.
func TestLogsEscClearsTheFilterBeforeLeaving(t *testing.T) {
	at := time.Date(2026, 11, 22, 5, 0, 0, 0, time.UTC)
	be := fixedLogs{lines: []swarm.LogLine{
		{Time: at, Service: "web", Slot: 1, Node: "node-1", Text: "GET /api/orders/ => 200"},
		{Time: at.Add(time.Second), Service: "web", Slot: 1, Node: "node-1", Text: "GET /healthz => 200"},
	}}
	opts := Options{Stack: "shop", Logs: func(c *common.Common, stack string, services []string) common.Component {
		return logs.New(c, be, stack, services)
	}}
	h := newHarness(t, opts, 80, 24)
	h.keys("l")
	h.wantScreen("GET /api/orders/", "GET /healthz")
	h.keys("/")
	h.typeText("orders")
	h.keys("enter")
	h.notScreen("GET /healthz")
	h.keys("esc")
	h.wantScreen("GET /api/orders/", "GET /healthz") // the filter is gone, the view stays
	h.keys("esc")
	h.wantScreen("tasks of celery-beat") // back on the stack
}

// At 80 columns the logs view's keys take more room than one row of
// columns: the help screen shows every group, the ones that do not fit
// beside the others below them, none dropped.
func TestLogsHelpShowsEveryKeyAt80Columns(t *testing.T) {
	opts := Options{Stack: "shop", Logs: func(c *common.Common, stack string, services []string) common.Component {
		return logs.New(c, fixedLogs{}, stack, services)
	}}
	h := newHarness(t, opts, 80, 24)
	h.keys("l", "?")
	h.wantScreen("follow/pause", "next service/task", "wrap", "timestamps", "reconnect", "tail 100/1000/all", "save to file", "back/quit")
	h.golden()
}
