package swarm

import (
	"errors"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/swarm"
)

func nodeFixture(id, host, availability string, tasks int) Node {
	return Node{ID: id, Hostname: host, Role: "worker", Availability: availability, Status: "ready", Tasks: tasks}
}

func TestNodeDescribeAvailability(t *testing.T) {
	vm := nodeFixture("n1", "vm", AvailabilityActive, 15)
	other := nodeFixture("n2", "other", AvailabilityActive, 3)
	drained := nodeFixture("n3", "spare", AvailabilityDrain, 0)
	cases := []struct {
		name         string
		nodes        []Node
		target       Node
		availability string
		want         string
	}{
		{"drain alone", []Node{vm}, vm, AvailabilityDrain,
			"Drain node vm: 15 running tasks will move to other nodes (none available: they will stay pending)"},
		{"drain, others drained", []Node{vm, drained}, vm, AvailabilityDrain,
			"Drain node vm: 15 running tasks will move to other nodes (none available: they will stay pending)"},
		{"drain with room", []Node{vm, other}, vm, AvailabilityDrain,
			"Drain node vm: 15 running tasks will move to other nodes"},
		{"drain empty", []Node{drained, vm}, drained, AvailabilityDrain,
			"Drain node spare: no running tasks to move; no new tasks will be scheduled on it"},
		{"pause", []Node{vm, other}, other, AvailabilityPause,
			"Pause node other: its 3 running tasks keep running; no new tasks will be scheduled on it"},
		{"activate", []Node{drained}, drained, AvailabilityActive,
			"Activate node spare: new tasks can be scheduled on it again (tasks running elsewhere are not moved back)"},
	}
	for _, c := range cases {
		if got := DescribeAvailability(c.nodes, c.target, c.availability); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestNodeAvailabilityWarning(t *testing.T) {
	vm := nodeFixture("n1", "vm", AvailabilityActive, 2)
	down := nodeFixture("n2", "down", AvailabilityActive, 0)
	down.Status = "down"
	if w := AvailabilityWarning([]Node{vm, down}, vm, AvailabilityDrain); !strings.Contains(w, "stay pending") {
		t.Errorf("drain with only a down node left: warning %q, want one about pending tasks", w)
	}
	if w := AvailabilityWarning([]Node{vm}, vm, AvailabilityActive); w != "" {
		t.Errorf("activate warns %q", w)
	}
}

func TestNodeFindUnknownIsBadInput(t *testing.T) {
	nodes := []Node{nodeFixture("n1", "vm", "active", 0), nodeFixture("n2", "b", "active", 0), nodeFixture("n3", "b", "active", 0)}
	if n, err := findNode(nodes, "n2"); err != nil || n.ID != "n2" {
		t.Fatalf("by ID: %v, %v", n, err)
	}
	if n, err := findNode(nodes, "vm"); err != nil || n.ID != "n1" {
		t.Fatalf("by hostname: %v, %v", n, err)
	}
	_, err := findNode(nodes, "nope")
	var unknown *UnknownNodeError
	if !errors.As(err, &unknown) || unknown.ExitCode() != 2 {
		t.Fatalf("unknown node: %v, want an UnknownNodeError with exit 2", err)
	}
	if want := "node nope: no such node; the nodes are: b (n2), b (n3), vm"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if _, err := findNode(nodes, "b"); err == nil || !strings.Contains(err.Error(), "give the node ID") {
		t.Errorf("shared hostname: %v, want a request for the ID", err)
	}
}

func nodeTask(service string, slot int, node string, state swarm.TaskState) swarm.Task {
	return swarm.Task{ServiceID: service, Slot: slot, NodeID: node, Status: swarm.TaskStatus{State: state}}
}

func TestNodeMovingSlotsSkipsGlobal(t *testing.T) {
	running := []swarm.Task{
		nodeTask("web", 1, "n1", swarm.TaskStateRunning),
		nodeTask("web", 2, "n2", swarm.TaskStateRunning),
		nodeTask("agent", 0, "n1", swarm.TaskStateRunning), // global: stops, does not move
		nodeTask("api", 1, "n1", swarm.TaskStateStarting),
	}
	got := movingSlots("n1", running)
	if len(got) != 1 || got[0] != (slotKey{"web", 1}) {
		t.Errorf("moving = %v, want web.1 only", got)
	}
}

func TestNodeTallyDrain(t *testing.T) {
	change := NodeChange{NodeID: "n1", Node: "vm", moving: []slotKey{{"web", 1}, {"web", 2}, {"api", 1}}}
	nodes := []Node{nodeFixture("n1", "vm", AvailabilityDrain, 0), nodeFixture("n2", "b", AvailabilityActive, 0)}
	onNode := []swarm.Task{
		nodeTask("web", 1, "n1", swarm.TaskStateShutdown),
		nodeTask("api", 1, "n1", swarm.TaskStateRunning), // still stopping
	}
	running := []swarm.Task{
		nodeTask("web", 1, "n2", swarm.TaskStateRunning),
		nodeTask("web", 2, "n2", swarm.TaskStateStarting),
	}
	p := tallyDrain(change, nodes, onNode, running)
	want := DrainProgress{Node: "vm", OnNode: 1, Moved: 3, RunningElsewhere: 1, Pending: 2}
	if p != want {
		t.Fatalf("progress = %+v, want %+v", p, want)
	}
	if p.Done() {
		t.Error("done while a task still runs on the node")
	}
	if got := p.Text(); got != "1 still running on vm · 3 tasks moved: 1 running elsewhere, 2 pending" {
		t.Errorf("text %q", got)
	}
}

func TestNodeDrainTextVerdicts(t *testing.T) {
	cases := []struct {
		p        DrainProgress
		want     string
		done, ok bool
	}{
		{DrainProgress{Moved: 12, RunningElsewhere: 12}, "12 tasks moved: 12 running elsewhere", true, true},
		{DrainProgress{Moved: 12, Pending: 12, NoCapacity: true}, "12 tasks moved: 12 pending: no other node can take them", true, false},
		{DrainProgress{Moved: 3, RunningElsewhere: 1, Pending: 2}, "3 tasks moved: 1 running elsewhere, 2 pending", false, false},
		{DrainProgress{}, "no tasks moved", true, true},
	}
	for _, c := range cases {
		if got := c.p.Text(); got != c.want {
			t.Errorf("text %q, want %q", got, c.want)
		}
		if c.p.Done() != c.done || c.p.OK() != c.ok {
			t.Errorf("%q: done %v ok %v, want %v %v", c.want, c.p.Done(), c.p.OK(), c.done, c.ok)
		}
	}
}

func TestNodeActionNames(t *testing.T) {
	for a, want := range map[string]string{"drain": "node drain", "pause": "node pause", "active": "node activate"} {
		if got := NodeAction(a); got != want {
			t.Errorf("NodeAction(%q) = %q, want %q", a, got, want)
		}
	}
}
