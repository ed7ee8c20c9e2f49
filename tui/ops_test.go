package tui

import (
	"slices"
	"testing"

	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/dialog"
	"github.com/swarmtop/swarmtop/tui/ops"
)

// selectWeb moves to web, the last service of the fixture.
func selectWeb(h *harness) { h.keys("G") }

func TestScaleThroughDialogs(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		h := newHarness(t, Options{Stack: "shop"}, sz.w, sz.h)
		selectWeb(h)
		h.keys("s")
		h.wantScreen("Scale shop_web", "> 2")
		t.Run("input", func(t *testing.T) { h.t = t; h.golden() })
		h.t = t
		h.keys("backspace", "3", "enter")
		h.wantScreen("Confirm scale", "Scale shop_web 2 → 3", "[ Cancel ]", "[ Confirm ]")
		t.Run("confirm", func(t *testing.T) { h.t = t; h.golden() })
		h.t = t

		// Typed-ahead keys inside the grace period do nothing.
		h.keys("y", "tab", "enter")
		if calls := h.be.CallList(); len(calls) != 0 {
			t.Fatalf("confirmed inside the grace period: %v", calls)
		}
		h.wantScreen("Scale shop_web 2 → 3")

		h.later()
		h.keys("y")
		if calls := h.be.CallList(); !slices.Equal(calls, []string{"scale shop web 3"}) {
			t.Fatalf("calls = %v", calls)
		}
		h.wantScreen("✓ scale web 2→3: web converged in 4s")
		t.Run("verdict", func(t *testing.T) { h.t = t; h.golden() })
		h.t = t

		h.keys(":")
		h.typeText("activity")
		h.keys("enter")
		h.wantScreen("action", "Scale shop_web 2 → 3", "verdict", "web converged")
		t.Run("activity", func(t *testing.T) { h.t = t; h.golden() })
	})
}

func TestConfirmEnterOnCancelCancels(t *testing.T) {
	h := newHarness(t, Options{Stack: "shop"}, 80, 24)
	selectWeb(h)
	h.keys("r")
	h.wantScreen("Restart every task of shop_web")
	h.later()
	h.keys("enter") // Cancel has the focus
	h.notScreen("Restart every task")
	if calls := h.be.CallList(); len(calls) != 0 {
		t.Fatalf("calls = %v", calls)
	}
	h.keys("r")
	h.later()
	h.keys("tab", "enter")
	if calls := h.be.CallList(); !slices.Equal(calls, []string{"restart shop web"}) {
		t.Fatalf("calls = %v", calls)
	}
}

func TestProgressShownWhileConverging(t *testing.T) {
	h := newHarness(t, Options{Stack: "shop"}, 80, 24)
	// Deliver the op's messages by hand to stop between progress and verdict.
	id := 1
	h.m.lastOp = 0
	h.send(dialog.OpenMsg{Dialog: dialog.NewConfirm(h.m.c, ops.Op{Kind: ops.Restart, Stack: "shop", Service: "web", FullName: "shop_web"})})
	h.later()
	h.m.updateDialog(keyMsg("y"))
	h.m.onOp(ops.ProgressMsg{ID: id, Progress: progressFixture()})
	h.wantScreen("… restart web: 2/3 running", "web.3 starting")
	h.golden()
}

func TestFailedOpShowsError(t *testing.T) {
	h := newHarness(t, Options{Stack: "shop"}, 80, 24)
	selectWeb(h)
	h.keys("R")
	h.later()
	h.keys("y")
	h.wantScreen("✗ rollback web: cannot rollback web")
}

func TestReadOnlyHidesAndRefusesActions(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		h := newHarness(t, Options{Stack: "shop", ReadOnly: true}, sz.w, sz.h)
		selectWeb(h)
		h.keys("s", "r", "R", "i")
		h.notScreen("Scale shop_web", "Confirm")
		h.wantScreen("READ-ONLY")
		h.notScreen("s scale")
		h.golden()
		// Requests that get past the keys are refused by the root.
		h.send(dialog.OpenMsg{Dialog: dialog.NewConfirm(h.m.c, ops.Op{Kind: ops.Scale, Service: "web"})})
		h.keys(":")
		h.typeText("scale web 4")
		h.keys("enter")
		h.later()
		h.keys("y", "enter")
		if calls := h.be.CallList(); len(calls) != 0 {
			t.Fatalf("read-only made calls: %v", calls)
		}
		h.wantScreen("read-only")
	})
}

func TestCommandLineCompletesAndScales(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		h := newHarness(t, Options{Stack: "shop"}, sz.w, sz.h)
		h.keys(":")
		h.typeText("sc")
		h.keys("tab")
		h.wantScreen(":scale ")
		h.typeText("w")
		h.keys("tab")
		h.wantScreen(":scale web ")
		h.typeText("4")
		h.golden()
		h.keys("enter")
		h.wantScreen("Scale shop_web 2 → 4")
		h.later()
		h.keys("y")
		if calls := h.be.CallList(); !slices.Equal(calls, []string{"scale shop web 4"}) {
			t.Fatalf("calls = %v", calls)
		}
	})
}

func TestCommandLineErrorsAndQuit(t *testing.T) {
	h := newHarness(t, Options{Stack: "shop"}, 80, 24)
	h.keys(":")
	h.typeText("scale nosuch 3")
	h.keys("enter")
	h.wantScreen("no service nosuch")
	h.keys(":")
	h.typeText("frobnicate")
	h.keys("enter")
	h.wantScreen("unknown command")
	h.keys("esc")
	h.keys(":")
	h.typeText("logs web")
	h.keys("enter")
	h.wantScreen("no logs view here")
	h.keys(":")
	h.typeText("quit")
	seen := h.keys("enter")
	if !quitIn(seen) {
		t.Fatal(":quit did not quit")
	}
}

func TestLogsKeyOpensWiredLogsView(t *testing.T) {
	var got common.OpenLogs
	h := newHarness(t, Options{Stack: "shop", Logs: func(c *common.Common, stack string, services []string) common.Component {
		got = common.OpenLogs{Stack: stack, Services: services}
		return stubView{title: "logs"}
	}}, 80, 24)
	selectWeb(h)
	h.keys("l")
	if got.Stack != "shop" || !slices.Equal(got.Services, []string{"web"}) {
		t.Fatalf("logs opened with %+v", got)
	}
	h.wantScreen("shop › logs", "stub view")
	h.keys("q")
	h.wantScreen("celery-worker")
}
