package swarm_test

import (
	"testing"
	"time"

	sw "github.com/swarmtop/swarmtop/swarm"
)

// TestLogsFollowRidesOutALostEngine cuts the connection under a follow: the
// stream says so and stays open, and within 2 s of the engine returning the
// task's lines flow again from where they stopped, the ones written during
// the outage included, none twice.
func TestLogsFollowRidesOutALostEngine(t *testing.T) {
	t.Parallel()
	e, stack, ctx := engineSetup(t, 2*time.Minute)
	logsStartWeb(ctx, t, e.Client(), stack)

	proxy, pe := cutEngine(ctx, t)
	stream, err := pe.Logs(ctx, stack, sw.LogOptions{Follow: true, Tail: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var got []sw.LogLine
	next := func(what string, within time.Duration, ok func(sw.LogLine) bool) time.Time {
		t.Helper()
		deadline := time.After(within)
		for {
			select {
			case l, open := <-stream.Lines():
				if !open {
					t.Fatalf("stream ended waiting for %s: %v", what, stream.Err())
				}
				got = append(got, l)
				if ok(l) {
					return time.Now()
				}
			case <-deadline:
				t.Fatalf("no %s within %s", what, within)
			}
		}
	}
	isLine := func(l sw.LogLine) bool { return !l.Note }
	for range 10 {
		next("line", 10*time.Second, isLine)
	}

	proxy.Cut()
	next("lost note", 5*time.Second, func(l sw.LogLine) bool { return l.Link == sw.LinkLost })
	time.Sleep(2 * time.Second) // the task writes about 40 lines meanwhile
	restored := time.Now()
	proxy.Restore()
	next("back note", 2*time.Second, func(l sw.LogLine) bool { return l.Link == sw.LinkBack })
	resumed := next("line after the restore", 2*time.Second-time.Since(restored), isLine)
	t.Logf("lines resumed %s after the restore", resumed.Sub(restored).Round(time.Millisecond))
	for range 60 { // the outage's lines and some more
		next("line", 5*time.Second, isLine)
	}
	logsCheckNoGapNoRepeat(t, got, time.Second)
}

// logsCheckNoGapNoRepeat: each task's lines come in strictly increasing time
// (a repeat would not), none more than gap after the one before (the task
// logs about 20 a second, so a longer pause means lost lines).
func logsCheckNoGapNoRepeat(t *testing.T, lines []sw.LogLine, gap time.Duration) {
	t.Helper()
	last := map[string]time.Time{}
	for _, l := range lines {
		if l.Note {
			continue
		}
		if prev, ok := last[l.TaskID]; ok {
			if !l.Time.After(prev) {
				t.Errorf("line at %v after one at %v: repeated or out of order: %q", l.Time, prev, l.Text)
			}
			if l.Time.Sub(prev) > gap {
				t.Errorf("%s between lines at %v and %v: lines lost", l.Time.Sub(prev), prev, l.Time)
			}
		}
		last[l.TaskID] = l.Time
	}
}
