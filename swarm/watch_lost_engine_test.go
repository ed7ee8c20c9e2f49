package swarm_test

import (
	"testing"
	"time"

	sw "github.com/swarmtop/swarmtop/swarm"
)

// TestWatchRidesOutALostEngine cuts the connection to the engine under a
// watch with default options: the watch says it is disconnected and since
// when, keeps saying so while it retries, and within 2 s of the engine
// returning shows the stack as it is now, with a scale made meanwhile.
func TestWatchRidesOutALostEngine(t *testing.T) {
	t.Parallel()
	e, stack, ctx := engineSetup(t, 2*time.Minute)
	id := logsCreate(ctx, t, e.Client(), logsSpec(stack, "web", "web", 1))

	proxy, pe := cutEngine(ctx, t)
	updates := pe.Watch(ctx, stack, sw.WatchOptions{})
	lostNext(t, updates, 60*time.Second, "web running", func(u sw.WatchUpdate) bool {
		return !u.Disconnected && len(u.Snapshot.Services) == 1 && u.Snapshot.Services[0].Running == 1
	})

	cutAt := time.Now()
	proxy.Cut()
	down := lostNext(t, updates, 5*time.Second, "disconnected", func(u sw.WatchUpdate) bool { return u.Disconnected })
	if down.Since.Before(cutAt.Add(-time.Second)) || down.Since.After(time.Now()) || len(down.Snapshot.Services) != 1 {
		t.Errorf("disconnected update: since %v (cut at %v), %d services; want the cut's time and the last snapshot",
			down.Since, cutAt, len(down.Snapshot.Services))
	}
	// While the engine is gone the watch keeps reporting, with the same Since.
	again := lostNext(t, updates, 3*time.Second, "a retry's report", func(u sw.WatchUpdate) bool { return u.Disconnected })
	if !again.Since.Equal(down.Since) {
		t.Errorf("Since moved from %v to %v during one outage", down.Since, again.Since)
	}

	rawScale(ctx, t, e.Client(), id, 2) // through the real socket, while the watch cannot see
	time.Sleep(1500 * time.Millisecond)

	restoredAt := time.Now()
	proxy.Restore()
	back := lostNext(t, updates, 2*time.Second, "connected with web at 2 replicas", func(u sw.WatchUpdate) bool {
		return !u.Disconnected && u.Err == nil && u.Snapshot.Services[0].Desired == 2
	})
	if !back.Since.IsZero() {
		t.Errorf("connected update has Since %v, want zero", back.Since)
	}
	t.Logf("disconnected %s after the cut; current state %s after the restore",
		down.Since.Sub(cutAt).Round(time.Millisecond), time.Since(restoredAt).Round(time.Millisecond))
}

// lostNext reads updates until ok accepts one; errors are expected here.
func lostNext(t *testing.T, updates <-chan sw.WatchUpdate, timeout time.Duration, what string, ok func(sw.WatchUpdate) bool) sw.WatchUpdate {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case u, open := <-updates:
			if !open {
				t.Fatal("updates closed")
			}
			if ok(u) {
				return u
			}
		case <-deadline:
			t.Fatalf("no update within %s: want %s", timeout, what)
		}
	}
}
