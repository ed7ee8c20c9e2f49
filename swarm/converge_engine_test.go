package swarm_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/swarmtop/swarmtop/internal/enginetest"
	sw "github.com/swarmtop/swarmtop/swarm"
)

// TestConvergeSharesNodeLists follows three new services through a counting
// proxy. Each poll of a service inspects it once; the services are polled
// at about the same moments and the nodes are the same for all of them, so
// those polls share a node list: no more node lists than the
// longest-followed service had inspects (three times as many without).
func TestConvergeSharesNodeLists(t *testing.T) {
	t.Parallel()
	e, stack, ctx := actSetup(t)
	pe, proxy := proxiedEngine(ctx, t)
	var changes []sw.Change
	for _, name := range []string{"a", "b", "c"} {
		id := actCreateOnly(ctx, t, e, actSpec(stack, name, "swarmtop/standin:1", 1))
		changes = append(changes, actCreated(ctx, t, e, id))
	}

	before := len(proxy.Requests())
	for _, v := range actConverge(ctx, t, pe, changes) {
		if v.Kind != sw.Converged {
			t.Errorf("%s: %s, want converged", v.Service, v.Kind)
		}
	}
	nodeLists, inspects := 0, map[string]int{}
	for _, r := range proxy.Requests()[before:] {
		path := strings.TrimPrefix(r, "GET ")
		switch {
		case strings.HasSuffix(path, "/nodes"):
			nodeLists++
		case strings.Contains(path, "/services/"):
			inspects[path]++
		}
	}
	polls := 0
	for _, n := range inspects {
		polls = max(polls, n)
	}
	if len(inspects) != len(changes) || polls < 2 {
		t.Fatalf("service inspects %v, want each of %d services polled, one at least twice", inspects, len(changes))
	}
	if nodeLists == 0 || nodeLists > polls {
		t.Errorf("%d node lists for %v inspects, want at most %d", nodeLists, inspects, polls)
	}
}

// TestConvergeFollowsEachServiceOnItsOwn holds every inspect of one
// service unanswered, as an engine that stops answering one request: the
// other service must still be polled to its verdict meanwhile.
func TestConvergeFollowsEachServiceOnItsOwn(t *testing.T) {
	t.Parallel()
	e, stack, ctx := actSetup(t)
	pe, proxy := proxiedEngine(ctx, t)
	stuckID := actCreateOnly(ctx, t, e, actSpec(stack, "stuck", "swarmtop/standin:1", 1))
	freeID := actCreateOnly(ctx, t, e, actSpec(stack, "free", "swarmtop/standin:1", 1))
	changes := []sw.Change{actCreated(ctx, t, e, stuckID), actCreated(ctx, t, e, freeID)}

	proxy.Hold("/services/" + stuckID)
	defer proxy.Release()
	start := time.Now()
	verdicts := make(chan []sw.Verdict, 1)
	go func() {
		// Long enough a loss timeout that only Release ends the stuck poll.
		verdicts <- pe.Converge(ctx, changes, sw.ConvergeOptions{PollInterval: 250 * time.Millisecond, LossTimeout: 2 * time.Minute}, nil)
	}()

	// The free service's polls go on while the stuck one's first hangs, and
	// stop when it has its verdict.
	freePolls := func() int { return countRequests(proxy, "/services/"+freeID) }
	giveUp := time.After(30 * time.Second) // it takes 3-5 s
	for last, still := freePolls(), 0; still < 6 || last < 3; {
		select {
		case <-time.After(250 * time.Millisecond):
		case <-giveUp:
			t.Fatalf("the free service was polled %d times while the stuck one's read hung, and not to a verdict", last)
		}
		if n := freePolls(); n == last {
			still++
		} else {
			last, still = n, 0
		}
	}
	released := time.Since(start)
	proxy.Release()

	got := <-verdicts
	for _, v := range got {
		t.Logf("%s: %s in %s: %s", v.Service, v.Kind, v.Elapsed.Round(time.Millisecond), v.Message)
		if v.Kind != sw.Converged {
			t.Errorf("%s: %s, want converged", v.Service, v.Kind)
		}
	}
	if free := got[1]; free.Elapsed >= released {
		t.Errorf("the free service's verdict came after %s, not before the stuck read was let go (%s)", free.Elapsed, released)
	}
}

// proxiedEngine connects to the engine through a new counting proxy.
func proxiedEngine(ctx context.Context, t *testing.T) (*sw.Engine, *enginetest.Proxy) {
	t.Helper()
	proxy := enginetest.NewProxy(t)
	pe, err := sw.Connect(ctx, sw.ConnectOptions{Host: proxy.Host})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pe.Close() })
	return pe, proxy
}

// countRequests counts the requests whose path ends with suffix.
func countRequests(p *enginetest.Proxy, suffix string) int {
	n := 0
	for _, r := range p.Requests() {
		if strings.HasSuffix(r, suffix) {
			n++
		}
	}
	return n
}
