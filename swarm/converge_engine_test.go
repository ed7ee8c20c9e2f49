package swarm_test

import (
	"strings"
	"testing"

	"github.com/swarmtop/swarmtop/internal/enginetest"
	sw "github.com/swarmtop/swarmtop/swarm"
)

// TestConvergeListsNodesOncePerRound follows three new services through a
// counting proxy. Every round of polls inspects each service still followed
// once; the nodes are the same for all of them, so a round lists them once:
// as many node lists as the longest-followed service had inspects.
func TestConvergeListsNodesOncePerRound(t *testing.T) {
	t.Parallel()
	e, stack, ctx := actSetup(t)
	proxy := enginetest.NewProxy(t)
	pe, err := sw.Connect(ctx, sw.ConnectOptions{Host: proxy.Host})
	if err != nil {
		t.Fatal(err)
	}
	defer pe.Close()
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
	rounds := 0
	for _, n := range inspects {
		rounds = max(rounds, n)
	}
	if len(inspects) != len(changes) || rounds < 2 {
		t.Fatalf("service inspects %v, want each of %d services polled, one at least twice", inspects, len(changes))
	}
	if nodeLists != rounds {
		t.Errorf("%d node lists in %d poll rounds (inspects %v), want one a round", nodeLists, rounds, inspects)
	}
}
