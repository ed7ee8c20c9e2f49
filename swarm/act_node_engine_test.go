package swarm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/internal/enginetest"
	sw "github.com/swarmtop/swarmtop/swarm"
)

// TestNodePauseActivateRealSwarm pauses the local node and makes it active
// again. It never drains: on the single-node test swarm a drain would stop
// every other test's tasks. Pause only stops new tasks from being placed,
// and the cleanup makes the node active again even when the test fails.
// Not parallel, so no other engine test of this package runs meanwhile.
func TestNodePauseActivateRealSwarm(t *testing.T) {
	shared := enginetest.Engine(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, err := sw.Connect(ctx, sw.ConnectOptions{Host: shared.Host}) // its own engine, for its own audit hook
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	var events []sw.AuditEvent
	e.SetAudit(func(ev sw.AuditEvent) { events = append(events, ev) })

	nodes, err := e.Nodes(ctx)
	if err != nil || len(nodes) == 0 {
		t.Fatalf("nodes: %v, %v", nodes, err)
	}
	node := nodes[0]
	if node.Availability != sw.AvailabilityActive {
		t.Skipf("node %s is %s, not active: not touching it", node.Hostname, node.Availability)
	}
	t.Cleanup(func() { enginetest.KeepNodeActive(t, shared.Client(), node.ID) })

	paused, err := e.SetNodeAvailability(ctx, node.Hostname, sw.AvailabilityPause)
	if err != nil {
		t.Fatalf("pause: %v", err)
	}
	if paused.Before != "active" || paused.After != "pause" || paused.Action != "node pause" || paused.Node != node.Hostname {
		t.Errorf("pause change = %+v", paused)
	}
	if len(nodes) == 1 && paused.Warning == "" {
		t.Error("pausing the only node gave no warning about pending tasks")
	}
	if got := nodeAvailability(ctx, t, e, node.ID); got != "pause" {
		t.Errorf("after pause the node is %s", got)
	}

	active, err := e.SetNodeAvailability(ctx, node.ID, sw.AvailabilityActive)
	if err != nil {
		t.Fatalf("activate: %v", err)
	}
	if active.Before != "pause" || active.After != "active" || active.Warning != "" {
		t.Errorf("activate change = %+v", active)
	}
	if got := nodeAvailability(ctx, t, e, node.ID); got != "active" {
		t.Errorf("after activate the node is %s", got)
	}
	again, err := e.SetNodeAvailability(ctx, node.ID, sw.AvailabilityActive)
	if err != nil || !again.Unchanged() {
		t.Errorf("activating an active node: %+v, %v; want unchanged", again, err)
	}

	if len(events) != 2 || events[0].Object != node.Hostname || events[0].Action != "node pause" ||
		events[0].Before != "active" || events[0].After != "pause" || events[1].Action != "node activate" ||
		events[1].Verdict != sw.VerdictApplied {
		t.Errorf("audit events = %+v, want node pause then node activate on %s", events, node.Hostname)
	}
}

func TestNodeSetAvailabilityRefusals(t *testing.T) {
	shared := enginetest.Engine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := shared.SetNodeAvailability(ctx, "no-such-node", sw.AvailabilityPause)
	var unknown *sw.UnknownNodeError
	if !errors.As(err, &unknown) || unknown.ExitCode() != 2 || len(unknown.Known) == 0 {
		t.Errorf("unknown node: %v, want an UnknownNodeError naming the nodes", err)
	}
	ro, err := sw.Connect(ctx, sw.ConnectOptions{Host: shared.Host, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	var refused *sw.ReadOnlyError
	if _, err := ro.SetNodeAvailability(ctx, "any", sw.AvailabilityDrain); !errors.As(err, &refused) {
		t.Errorf("read-only drain: %v, want a ReadOnlyError", err)
	}
}

func nodeAvailability(ctx context.Context, t *testing.T, e *sw.Engine, id string) string {
	t.Helper()
	res, err := e.Client().NodeInspect(ctx, id, client.NodeInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return string(res.Node.Spec.Availability)
}

// TestNodeWaitDrainedReadsTheRealNode runs the drain wait's reads against
// the undrained node, bounded to a second: it must report the node and
// come back without an error whatever runs there.
func TestNodeWaitDrainedReadsTheRealNode(t *testing.T) {
	e := enginetest.Engine(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	nodes, err := e.Nodes(ctx)
	if err != nil || len(nodes) == 0 {
		t.Fatalf("nodes: %v, %v", nodes, err)
	}
	change := sw.NodeChange{NodeID: nodes[0].ID, Node: nodes[0].Hostname}
	polls := 0
	p, err := e.WaitNodeDrained(ctx, change, func(sw.DrainProgress) { polls++ })
	if err != nil || polls == 0 || p.Node != nodes[0].Hostname || p.Moved != 0 {
		t.Fatalf("wait: %+v after %d polls, %v", p, polls, err)
	}
	if p.Done() != (p.OnNode == 0) {
		t.Errorf("done = %v with %d tasks on the node", p.Done(), p.OnNode)
	}
}
