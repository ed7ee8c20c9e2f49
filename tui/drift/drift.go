// Package drift keeps a stack file's diff against the live stack up to
// date: the stack view asks for a new diff whenever its watch sees a
// change, and the tracker runs it in a Cmd at most once per Interval.
package drift

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/stackfile"
	"github.com/swarmtop/swarmtop/swarm"
)

// Interval is the least time between two diffs the watch triggers.
const Interval = 3 * time.Second

// Differ compares a stack file with the live stack; *swarm.Engine is one.
type Differ interface {
	Diff(ctx context.Context, st *stackfile.Stack) (swarm.StackDiff, error)
}

// Result is a finished diff, for the file it was computed from.
type Result struct {
	File *stackfile.Stack
	Diff swarm.StackDiff
	Err  error
}

// Due says a postponed diff may run now.
type Due struct{}

// Tracker holds the last diff and decides when to run the next one.
type Tracker struct {
	ctx  context.Context
	be   Differ
	now  func() time.Time
	file *stackfile.Stack

	diff   *swarm.StackDiff
	drifts map[string]swarm.Drift
	err    string

	last                         time.Time
	inFlight, dirty, tickPending bool
}

// New tracks st against the live stack; now is the clock debouncing runs.
func New(ctx context.Context, be Differ, st *stackfile.Stack, now func() time.Time) *Tracker {
	return &Tracker{ctx: ctx, be: be, file: st, now: now}
}

// File is the stack file tracked.
func (t *Tracker) File() *stackfile.Stack { return t.file }

// SetFile replaces the file (after a reload) and asks for a diff at once.
func (t *Tracker) SetFile(st *stackfile.Stack) tea.Cmd {
	t.file = st
	t.last = time.Time{}
	return t.Request()
}

// Request asks for a new diff: now, or once Interval has passed since the
// last one.
func (t *Tracker) Request() tea.Cmd {
	t.dirty = true
	return t.maybeRun()
}

func (t *Tracker) maybeRun() tea.Cmd {
	if !t.dirty || t.inFlight {
		return nil
	}
	wait := Interval - t.now().Sub(t.last)
	if t.last.IsZero() || wait <= 0 {
		t.inFlight, t.dirty, t.last = true, false, t.now()
		return Run(t.ctx, t.be, t.file)
	}
	if t.tickPending {
		return nil
	}
	t.tickPending = true
	return tea.Tick(wait, func(time.Time) tea.Msg { return Due{} })
}

// Run computes the diff in a Cmd; it captures everything it uses.
func Run(ctx context.Context, be Differ, st *stackfile.Stack) tea.Cmd {
	return func() tea.Msg {
		d, err := be.Diff(ctx, st)
		return Result{File: st, Diff: d, Err: err}
	}
}

// Update takes a Result or a Due and returns the next run, if any.
func (t *Tracker) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case Due:
		t.tickPending = false
	case Result:
		t.inFlight = false
		if msg.File != t.file {
			t.dirty = true // computed from a file since reloaded
			break
		}
		t.apply(msg)
	}
	return t.maybeRun()
}

func (t *Tracker) apply(r Result) {
	if r.Err != nil {
		t.err = r.Err.Error()
		return
	}
	t.err = ""
	d := r.Diff
	t.diff = &d
	t.drifts = map[string]swarm.Drift{}
	for _, dr := range d.Drift() {
		t.drifts[dr.Service] = dr
	}
}

// Known reports whether a diff has come back yet.
func (t *Tracker) Known() bool { return t.diff != nil }

// Err is the last diff's error, "" when it worked.
func (t *Tracker) Err() string { return t.err }

// For is a service's drift; ok is false when it is as the file says.
func (t *Tracker) For(service string) (swarm.Drift, bool) {
	d, ok := t.drifts[service]
	return d, ok
}

// Missing are the services in the file that are not deployed, by name.
func (t *Tracker) Missing() []swarm.Drift {
	var out []swarm.Drift
	if t.diff == nil {
		return nil
	}
	for _, s := range t.diff.Services {
		if d, ok := t.drifts[s.Service]; ok && d.Missing {
			out = append(out, d)
		}
	}
	return out
}

// Count is how many services differ from the file.
func (t *Tracker) Count() int { return len(t.drifts) }
