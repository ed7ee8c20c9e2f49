package tui

import (
	"slices"
	"testing"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/internal/fakebe"
)

// openNodes shows the nodes view over the shop stack.
func openNodes(h *harness) {
	h.keys(":")
	h.typeText("nodes")
	h.keys("enter")
	h.wantScreen("manager-1")
}

func TestNodeDrainConfirmSaysTasksStayPending(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		h := newHarness(t, Options{Stack: "shop"}, sz.w, sz.h)
		openNodes(h)
		h.keys("D")
		h.wantScreen("Confirm node drain", "Drain node manager-1: 6 running tasks will move to other nodes",
			"(none available: they will stay pending)")
		t.Run("confirm", func(t *testing.T) { h.t = t; h.golden() })
		h.t = t

		h.keys("y") // inside the grace period: ignored
		if calls := h.be.CallList(); len(calls) != 0 {
			t.Fatalf("confirmed inside the grace period: %v", calls)
		}
		h.later()
		h.keys("y")
		if calls := h.be.CallList(); !slices.Equal(calls, []string{"node drain n1", "wait drained n1"}) {
			t.Fatalf("calls = %v", calls)
		}
		h.wantScreen("✗ node drain manager-1: active → drain · 6 tasks moved: 6 pending")
		if sz.w >= 120 {
			h.wantScreen("6 pending: no other node can take them")
		}
	})
}

func TestNodeDrainWithRoomReportsTasksRunningElsewhere(t *testing.T) {
	be := fakebe.New()
	be.NodeSet = append(be.NodeSet, swarm.Node{ID: "n2", Hostname: "worker-1", Role: "worker",
		Availability: "active", Status: "ready", EngineVersion: "29.0.1"})
	h := newHarnessWith(t, be, Options{Stack: "shop"}, 120, 40)
	openNodes(h)
	h.keys("D")
	h.wantScreen("Drain node manager-1: 6 running tasks will move to other nodes")
	h.notScreen("none available")
	h.later()
	h.keys("y")
	h.wantScreen("✓ node drain manager-1: active → drain · 6 tasks moved: 6 running elsewhere")
}

func TestNodePauseThenActivate(t *testing.T) {
	h := newHarness(t, Options{Stack: "shop"}, 120, 40)
	openNodes(h)
	h.keys("a")
	h.wantScreen("node manager-1 is already active")
	h.keys("p")
	h.wantScreen("Confirm node pause", "Pause node manager-1: its 6 running tasks keep running")
	h.later()
	h.keys("y")
	h.wantScreen("✓ node pause manager-1: active → pause")
	h.wantScreen("manager (leader)  pause", "0 active") // re-read once the op is done
	h.keys("a")
	h.wantScreen("Activate node manager-1: new tasks can be scheduled on it again")
	h.later()
	h.keys("y")
	h.wantScreen("✓ node activate manager-1: pause → active")
	if calls := h.be.CallList(); !slices.Equal(calls, []string{"node pause n1", "node activate n1"}) {
		t.Fatalf("calls = %v", calls)
	}
}

func TestNodeKeysHiddenAndRefusedReadOnly(t *testing.T) {
	h := newHarness(t, Options{Stack: "shop", ReadOnly: true}, 120, 40)
	openNodes(h)
	h.notScreen("drain", "pause", "activate")
	h.keys("D", "p", "a")
	h.later()
	h.keys("y")
	h.notScreen("Confirm")
	if calls := h.be.CallList(); len(calls) != 0 {
		t.Fatalf("read-only made calls: %v", calls)
	}
	h.keys("?")
	h.notScreen("drain")
}
