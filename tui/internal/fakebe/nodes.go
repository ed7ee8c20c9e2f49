package fakebe

import (
	"context"
	"errors"
	"slices"

	"github.com/swarmtop/swarmtop/swarm"
)

// SetNodeAvailability records the call and changes the node in NodeSet,
// so the next read shows the new availability.
func (b *Backend) SetNodeAvailability(_ context.Context, node, availability string) (swarm.NodeChange, error) {
	b.record(swarm.NodeAction(availability) + " " + node)
	b.mu.Lock()
	defer b.mu.Unlock()
	nodes := slices.Clone(b.NodeSet) // a new slice: the view may hold the old one
	for i, n := range nodes {
		if n.ID != node && n.Hostname != node {
			continue
		}
		change := swarm.NodeChange{NodeID: n.ID, Node: n.Hostname, Action: swarm.NodeAction(availability),
			Before: n.Availability, After: availability, Tasks: n.Tasks,
			Warning: swarm.AvailabilityWarning(nodes, n, availability)}
		nodes[i].Availability = availability
		b.NodeSet = nodes
		return change, nil
	}
	return swarm.NodeChange{}, errors.New("node " + node + ": no such node")
}

// WaitNodeDrained reports one poll and ends: every task of a node with
// no other active node stays pending, as on a real single-node swarm.
func (b *Backend) WaitNodeDrained(_ context.Context, change swarm.NodeChange, onProgress func(swarm.DrainProgress)) (swarm.DrainProgress, error) {
	b.record("wait drained " + change.NodeID)
	p := swarm.DrainProgress{Node: change.Node, Moved: change.Tasks, Pending: change.Tasks, NoCapacity: change.Warning != ""}
	if !p.NoCapacity {
		p.Pending, p.RunningElsewhere = 0, change.Tasks
	}
	onProgress(p)
	return p, nil
}
