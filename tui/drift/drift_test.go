package drift

import (
	"context"
	"testing"
	"time"

	"github.com/swarmtop/swarmtop/stackfile"
	"github.com/swarmtop/swarmtop/swarm"
)

type countingDiffer struct{ calls int }

func (c *countingDiffer) Diff(_ context.Context, st *stackfile.Stack) (swarm.StackDiff, error) {
	c.calls++
	return swarm.StackDiff{Stack: st.Name, Services: []swarm.ServiceDiff{{Service: "web", Status: swarm.DiffChanged,
		Changes: []swarm.FieldChange{{Field: "replicas", Live: "3", File: "2"}}}}}, nil
}

func TestTrackerDebounces(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	be := &countingDiffer{}
	st := &stackfile.Stack{Name: "shop"}
	tr := New(context.Background(), be, st, func() time.Time { return now })

	cmd := tr.Request()
	if cmd == nil || tr.Request() != nil {
		t.Fatal("the first request must run at once, and only once while in flight")
	}
	// The request made while in flight is postponed to a tick, not run.
	if tick := tr.Update(cmd()); tick == nil || be.calls != 1 {
		t.Fatal("a request while in flight was dropped or ran at once")
	}
	if d, ok := tr.For("web"); !ok || d.Replicas == nil || tr.Count() != 1 {
		t.Fatalf("drift not kept: %+v", d)
	}
	now = now.Add(time.Second)
	if tr.Request() != nil {
		t.Fatal("a second tick was started")
	}
	now = now.Add(Interval)
	cmd = tr.Update(Due{})
	if _, ok := cmd().(Result); !ok {
		t.Fatal("Due after the interval did not run the diff")
	}

	// A reload runs at once, and a result for the old file is not kept.
	cmd = tr.SetFile(&stackfile.Stack{Name: "shop"})
	if cmd != nil {
		t.Fatal("a reload must wait for the diff in flight")
	}
	if next := tr.Update(Result{File: st}); next == nil {
		t.Fatal("stale result did not start a diff of the new file")
	}
}
