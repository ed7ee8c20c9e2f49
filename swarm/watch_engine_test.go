package swarm_test

import (
	"testing"
	"time"

	sw "github.com/swarmtop/swarmtop/swarm"
)

func TestWatchSeesScaleThenStaysQuiet(t *testing.T) {
	t.Parallel()
	e, stack, ctx := engineSetup(t, 90*time.Second)
	id := rwCreate(t, e, rwSpec(stack, "web", 1, "web"))[0]
	updates := e.Watch(ctx, stack, sw.WatchOptions{FastPoll: 200 * time.Millisecond, SlowPoll: 500 * time.Millisecond, Debounce: 100 * time.Millisecond})

	watchUntil(t, updates, 30*time.Second, func(u sw.WatchUpdate, _ []sw.Event) bool {
		return len(u.Snapshot.Services) == 1 && u.Snapshot.Services[0].Running == 1 && u.Snapshot.Services[0].Converged
	})

	rawScale(ctx, t, e.Client(), id, 2)
	stable := watchUntil(t, updates, 30*time.Second, func(u sw.WatchUpdate, seen []sw.Event) bool {
		s := u.Snapshot.Services[0]
		return s.Desired == 2 && s.Running == 2 && s.Converged && hasScaleEvent(seen)
	})

	// Stable now: polls go on (fast and slow intervals are short here) but
	// nothing of this stack changes, so nothing about it is sent. Other
	// tests share the node (their tasks and node updates change the node
	// list), so only this stack's services and tasks are compared.
	quiet := time.After(3 * time.Second)
	for {
		select {
		case u := <-updates:
			if u.Err != nil || stackPrint(u.Snapshot) != stackPrint(stable.Snapshot) {
				t.Fatalf("update while stable: err=%v events=%+v\n%s", u.Err, u.Events, rwDump(u.Snapshot))
			}
		case <-quiet:
			return
		}
	}
}

// stackPrint fingerprints a snapshot's services and tasks, leaving out the
// nodes, which other tests' work changes.
func stackPrint(s sw.Snapshot) uint64 {
	s.Nodes = nil
	return s.Fingerprint()
}

func hasScaleEvent(events []sw.Event) bool {
	for _, ev := range events {
		if ev.Type == "service" && ev.Action == "update" && ev.Name == "web" && ev.Attributes["replicas.new"] == "2" {
			return true
		}
	}
	return false
}

// watchUntil reads updates until ok accepts one, passing every event seen
// so far; read errors fail the test.
func watchUntil(t *testing.T, updates <-chan sw.WatchUpdate, timeout time.Duration, ok func(sw.WatchUpdate, []sw.Event) bool) sw.WatchUpdate {
	t.Helper()
	deadline := time.After(timeout)
	var seen []sw.Event
	var last sw.WatchUpdate
	for {
		select {
		case u, open := <-updates:
			if !open {
				t.Fatal("updates closed")
			}
			if u.Err != nil {
				t.Fatalf("watch error: %v", u.Err)
			}
			seen = append(seen, u.Events...)
			if ok(u, seen) {
				return u
			}
			last = u
		case <-deadline:
			t.Fatalf("no matching update in %s; events %+v; last:\n%s", timeout, seen, rwDump(last.Snapshot))
		}
	}
}
