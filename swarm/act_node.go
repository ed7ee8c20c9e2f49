package swarm

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
)

// Node availabilities, as the engine spells them.
const (
	AvailabilityActive = "active"
	AvailabilityPause  = "pause"
	AvailabilityDrain  = "drain"
)

// NodeAction is the audit and display name of an availability change:
// "node drain", "node pause", "node activate".
func NodeAction(availability string) string {
	if availability == AvailabilityActive {
		return "node activate"
	}
	return "node " + availability
}

// NodeChange is one availability change swarmtop made on a node.
type NodeChange struct {
	NodeID string
	Node   string // hostname
	Action string // NodeAction(After)
	Before string // availability before: active, pause or drain
	After  string
	// Tasks is how many tasks ran on the node just before the change.
	Tasks int
	// Warning says what the change cannot do on this swarm (no other node
	// to take the tasks); empty when nothing stands in its way.
	Warning string
	// moving are the replicated slots that ran on the node when it was
	// drained: the tasks WaitNodeDrained follows to their new nodes.
	moving []slotKey
}

// Unchanged reports a change that wrote nothing: the node already had the
// wanted availability.
func (c NodeChange) Unchanged() bool { return c.Before == c.After }

// slotKey names a replicated task slot; swarm replaces a drained task with
// a new task of the same service and slot on another node.
type slotKey struct {
	service string
	slot    int
}

// UnknownNodeError is a node name that matches no node (or several). It is
// bad input: the message lists the nodes there are.
type UnknownNodeError struct {
	Node   string
	Known  []string // hostnames (with IDs when hostnames repeat)
	Reason string   // "no such node" or "several nodes have this hostname"
}

func (e *UnknownNodeError) Error() string {
	return fmt.Sprintf("node %s: %s; the nodes are: %s", e.Node, e.Reason, strings.Join(e.Known, ", "))
}

// ExitCode marks an unknown node as bad input.
func (e *UnknownNodeError) ExitCode() int { return exitBadInput }

// SetNodeAvailability makes a node (hostname or ID) active, paused or
// drained. Like a service update it is a read-modify-write on the node's
// version, retried when another writer got in between. Draining the last
// node that could take the tasks is allowed (it is how a single-node swarm
// is emptied for maintenance) but the change carries a warning saying the
// tasks will stay pending.
func (e *Engine) SetNodeAvailability(ctx context.Context, node, availability string) (NodeChange, error) {
	if !validAvailability(availability) {
		return NodeChange{}, &RefusedError{Service: "node " + node, Action: "set the availability of",
			Reason: fmt.Sprintf("%q is not an availability: want active, pause or drain", availability)}
	}
	action := NodeAction(availability)
	if err := e.refuseWrite(action); err != nil {
		return NodeChange{}, err
	}
	nodes, running, err := e.nodesAndRunning(ctx)
	if err != nil {
		return NodeChange{}, err
	}
	target, err := findNode(nodes, node)
	if err != nil {
		return NodeChange{}, err
	}
	change := NodeChange{NodeID: target.ID, Node: target.Hostname, Action: action, After: availability,
		Tasks: target.Tasks, Warning: AvailabilityWarning(nodes, target, availability)}
	if availability == AvailabilityDrain {
		change.moving = movingSlots(target.ID, running)
	}
	for attempt := 1; ; attempt++ {
		err = e.tryNodeUpdate(ctx, &change, attempt)
		if err == nil || !outOfSequence(err) || attempt == maxUpdateAttempts {
			return change, err
		}
	}
}

func validAvailability(a string) bool {
	return a == AvailabilityActive || a == AvailabilityPause || a == AvailabilityDrain
}

// nodesAndRunning reads the nodes (with their running-task counts) and the
// tasks meant to run, in one go.
func (e *Engine) nodesAndRunning(ctx context.Context) ([]Node, []swarm.Task, error) {
	var nodes []swarm.Node
	var tasks []swarm.Task
	running := make(client.Filters).Add("desired-state", "running")
	err := inParallel(
		func() (err error) { nodes, err = e.listNodes(ctx); return err },
		func() (err error) { tasks, err = e.listTasks(ctx, running); return err },
	)
	if err != nil {
		return nil, nil, err
	}
	return buildNodes(nodes, tasks), tasks, nil
}

// tryNodeUpdate makes one update attempt: inspect for the current spec and
// version, then write the spec with only the availability changed, so
// labels and role set by others are kept.
func (e *Engine) tryNodeUpdate(ctx context.Context, change *NodeChange, attempt int) error {
	res, err := e.api.NodeInspect(ctx, change.NodeID, client.NodeInspectOptions{})
	if err != nil {
		return err
	}
	spec := res.Node.Spec
	change.Before = string(spec.Availability)
	if change.Unchanged() {
		return nil // nothing to write, nothing to audit
	}
	spec.Availability = swarm.NodeAvailability(change.After)
	_, err = e.api.NodeUpdate(ctx, change.NodeID, client.NodeUpdateOptions{Version: res.Node.Meta.Version, Spec: spec})
	if err == nil || !outOfSequence(err) || attempt == maxUpdateAttempts { // a retry is not a change
		e.auditChange(AuditEvent{Object: change.Node, Action: change.Action, Before: change.Before,
			After: change.After, Message: change.Warning}, Change{}, err)
	}
	return err
}

// findNode resolves a node by ID or hostname. A hostname two nodes share
// (engines in network namespaces on one host) must be given as an ID.
func findNode(nodes []Node, name string) (Node, error) {
	var byHost []Node
	for _, n := range nodes {
		if n.ID == name {
			return n, nil
		}
		if n.Hostname == name {
			byHost = append(byHost, n)
		}
	}
	switch len(byHost) {
	case 1:
		return byHost[0], nil
	case 0:
		return Node{}, &UnknownNodeError{Node: name, Known: knownNodes(nodes), Reason: "no such node"}
	}
	return Node{}, &UnknownNodeError{Node: name, Known: knownNodes(nodes),
		Reason: "several nodes have this hostname: give the node ID"}
}

// knownNodes names every node for an error: hostname, with the ID when
// the hostname is not unique.
func knownNodes(nodes []Node) []string {
	count := map[string]int{}
	for _, n := range nodes {
		count[n.Hostname]++
	}
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		name := n.Hostname
		if count[name] > 1 {
			name += " (" + n.ID + ")"
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// movingSlots are the replicated slots running on the node: the tasks a
// drain moves. Global tasks are only stopped (a global service runs on
// every active node, so it has no other node to move to).
func movingSlots(nodeID string, running []swarm.Task) []slotKey {
	var out []slotKey
	for _, t := range running {
		if t.NodeID == nodeID && t.Status.State == swarm.TaskStateRunning && t.Slot > 0 {
			out = append(out, slotKey{service: t.ServiceID, slot: t.Slot})
		}
	}
	return out
}

// otherActiveNodes counts the ready, active nodes other than target: the
// ones the scheduler can give new tasks to.
func otherActiveNodes(nodes []Node, target Node) int {
	n := 0
	for _, o := range nodes {
		if o.ID != target.ID && o.Availability == AvailabilityActive && o.Status == "ready" {
			n++
		}
	}
	return n
}

// AvailabilityWarning says what setting availability on target cannot do
// on this swarm, or "" when nothing stands in the way.
func AvailabilityWarning(nodes []Node, target Node, availability string) string {
	if availability == AvailabilityActive || otherActiveNodes(nodes, target) > 0 {
		return ""
	}
	if availability == AvailabilityPause {
		return "no other active node: new tasks will stay pending until a node is active again"
	}
	return "no other active node: its tasks will stay pending until a node is active again"
}

// DescribeAvailability is the confirmation text of an availability change:
// what will happen to the node's tasks, in one line.
func DescribeAvailability(nodes []Node, target Node, availability string) string {
	name := target.Hostname
	tasks := plural(target.Tasks, "running task")
	switch availability {
	case AvailabilityDrain:
		if target.Tasks == 0 {
			return "Drain node " + name + ": no running tasks to move; no new tasks will be scheduled on it"
		}
		text := fmt.Sprintf("Drain node %s: %s will move to other nodes", name, tasks)
		if otherActiveNodes(nodes, target) == 0 {
			text += " (none available: they will stay pending)"
		}
		return text
	case AvailabilityPause:
		text := fmt.Sprintf("Pause node %s: its %s keep running; no new tasks will be scheduled on it", name, tasks)
		if otherActiveNodes(nodes, target) == 0 {
			text += " (no other active node: new tasks will stay pending)"
		}
		return text
	}
	return "Activate node " + name + ": new tasks can be scheduled on it again" +
		" (tasks running elsewhere are not moved back)"
}

// plural is "1 running task", "3 running tasks".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
