package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/swarmtop/swarmtop/swarm"
)

func TestProgressPlainPrintsOnlyChanges(t *testing.T) {
	var out bytes.Buffer
	p := newProgressPrinter(&out) // not a terminal
	starting := swarm.Progress{Service: "web", UpdateState: "updating", Running: 1, Desired: 2, Slots: []swarm.SlotProgress{
		{Slot: 1, State: "running", UpToDate: true},
		{Slot: 2, State: "running"},
	}}
	p.update(starting)
	p.update(starting) // the same again: nothing new to say
	p.update(swarm.Progress{Service: "web", UpdateState: "updating", Running: 1, Desired: 2, Slots: []swarm.SlotProgress{
		{Slot: 1, State: "running", UpToDate: true},
		{Slot: 2, State: "pending", UpToDate: true, Err: "No such image: x:3\x1b[2J"},
	}})
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []string{
		"web  updating  1/2  1:running 2:running(old)",
		"web  updating  1/2  1:running 2:pending  - last task error: No such image: x:3",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestProgressTerminalRedrawsInPlace(t *testing.T) {
	var out bytes.Buffer
	p := newProgressPrinter(&out)
	p.tty, p.width = true, 30
	p.update(swarm.Progress{Service: "web", Running: 0, Desired: 1})
	p.update(swarm.Progress{Service: "worker", Running: 0, Desired: 1})
	p.update(swarm.Progress{Service: "web", Running: 1, Desired: 1, Message: "all up; checking they stay up for 5s"})
	got := out.String()
	if strings.Count(got, "\x1b[2A") != 1 || strings.Count(got, "\x1b[1A") != 1 {
		t.Errorf("cursor moves wrong: %q", got)
	}
	last := got[strings.LastIndex(got, "\x1b[2A"):]
	if !strings.Contains(last, "web  1/1  - all up; checking…\n") || !strings.Contains(last, "worker  0/1\n") {
		t.Errorf("last redraw %q does not hold both services, cut to the width", last)
	}
}
