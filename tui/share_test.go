package tui

import (
	"testing"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/internal/fakebe"
	"github.com/swarmtop/swarmtop/tui/live"
)

// The tasks view opened over the stack view lives on the stack view's
// watch: one stream of engine reads, and the tasks view still follows it.
func TestTasksViewSharesTheStackViewsWatch(t *testing.T) {
	be := fakebe.New()
	h := newHarnessWith(t, be, Options{Stack: "shop"}, 120, 40)
	h.keys("j", "enter")
	h.wantScreen("celery-worker tasks", "current tasks")
	if n := be.WatchCount(); n != 1 {
		t.Fatalf("%d watches of the stack, want 1 (the stack view's)", n)
	}

	next := fakebe.Shop()
	for i := range next.Tasks {
		if task := &next.Tasks[i]; task.Service == "celery-worker" && task.Current {
			task.State, task.Err = "failed", "task: non-zero exit (137)"
			break
		}
	}
	// The stack view's watch answers (as its live.Next would deliver it).
	h.send(common.Tagged{View: h.m.views[0].id, Msg: live.Msg{Update: swarm.WatchUpdate{Snapshot: next}}})
	h.wantScreen("celery-worker tasks", "non-zero exit (137)")

	h.keys("esc")
	h.wantScreen("celery-worker")
	if n := be.WatchCount(); n != 1 {
		t.Fatalf("%d watches after leaving the tasks view, want 1", n)
	}
}
