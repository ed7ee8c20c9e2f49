package tui

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/stackfile"
	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/internal/fakebe"
	"github.com/swarmtop/swarmtop/tui/render"
)

func TestStackViewGolden(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		h := newHarness(t, Options{Stack: "shop"}, sz.w, sz.h)
		h.wantScreen("web", "2/2", "web:1.4.2", "celery-worker", "1/2", "failing")
		h.golden()
	})
}

func TestStackViewTasksPaneShowsFullError(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		h := newHarness(t, Options{Stack: "shop"}, sz.w, sz.h)
		h.keys("j", "tab", "j") // celery-worker, tasks pane, its failing slot
		h.wantScreen("celery-worker.2", "rejected")
		h.golden()
	})
}

func TestStacksViewGoldenAndOpen(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		h := newHarness(t, Options{}, sz.w, sz.h)
		h.wantScreen("monitoring", "shop", "6/7")
		h.golden()
		h.keys("j", "enter")
		h.wantScreen("stacks › shop", "celery-worker")
		h.keys("esc")
		h.wantScreen("monitoring")
	})
}

func TestTasksViewGoldenWithHistory(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		h := newHarness(t, Options{Stack: "shop"}, sz.w, sz.h)
		h.keys("j", "enter")
		h.wantScreen("celery-worker tasks", "current tasks")
		h.notScreen("non-zero exit")
		t.Run("current", func(t *testing.T) { h.t = t; h.golden() })
		h.keys("h")
		h.wantScreen("incl. history")
		t.Run("history", func(t *testing.T) { h.t = t; h.golden() })
	})
}

func TestNodesViewGolden(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		h := newHarness(t, Options{Stack: "shop"}, sz.w, sz.h)
		openNodes(h)
		h.wantScreen("manager-1", "manager (leader)", "29.0.1", "1 node · 1 manager · 1 ready · 1 active")
		h.golden()
	})
}

func TestHelpGolden(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		h := newHarness(t, Options{Stack: "shop"}, sz.w, sz.h)
		h.keys("?")
		h.wantScreen("scale", "restart", "rollback", "switch pane")
		h.golden()
		h.keys("?")
		h.notScreen("Keys")
	})
}

func TestLoadingShowsSpinnerAndLastError(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		be := fakebe.New()
		be.Updates = make(chan swarm.WatchUpdate, 4)
		be.Updates <- swarm.WatchUpdate{Err: errors.New("Cannot connect to the Docker daemon")}
		h := newHarnessWith(t, be, Options{Stack: "shop"}, sz.w, sz.h)
		h.wantScreen("reading stack shop", "last error: Cannot connect")
		h.golden()
	})
}

func TestDisconnectionShown(t *testing.T) {
	be := fakebe.New()
	be.Updates = make(chan swarm.WatchUpdate, 4)
	be.Updates <- swarm.WatchUpdate{Snapshot: fakebe.Shop()}
	lost := fakebe.Now.Add(-12 * time.Second)
	be.Updates <- swarm.WatchUpdate{Snapshot: fakebe.Shop(), Disconnected: true, Since: lost}
	h := newHarnessWith(t, be, Options{Stack: "shop"}, 80, 24)
	// Whole at 80 columns: since when, and for how long.
	h.wantScreen("celery-worker", "○ disconnected since "+lost.Local().Format(time.TimeOnly)+" (12s)")
}

func TestFilterAndMouse(t *testing.T) {
	h := newHarness(t, Options{Stack: "shop"}, 80, 24)
	h.keys("/")
	h.typeText("ngi")
	h.keys("enter")
	h.wantScreen("nginx", "filter: ngi")
	h.notScreen("celery-beat  ")
	h.keys("esc") // clears the filter, stays in the view
	h.wantScreen("celery-beat")

	// Click on the fourth service row (nginx): header 1 + summary 1 + table header 1.
	h.send(tea.MouseClickMsg{X: 3, Y: 1 + 1 + 1 + 3, Button: tea.MouseLeft})
	h.wantScreen("tasks of nginx")
	h.send(tea.MouseWheelMsg{X: 3, Y: 4, Button: tea.MouseWheelDown})
	h.wantScreen("tasks of web")
}

func TestBackgroundColourRebuildsStyles(t *testing.T) {
	h := newHarness(t, Options{Stack: "shop"}, 80, 24)
	before := *h.m.c.Styles
	h.send(tea.BackgroundColorMsg{Color: lightGrey{}})
	if h.m.c.Styles.Title.GetForeground() == before.Title.GetForeground() {
		t.Fatal("styles not rebuilt for a light background")
	}
}

type lightGrey struct{}

func (lightGrey) RGBA() (r, g, b, a uint32) { return 0xeeee, 0xeeee, 0xeeee, 0xffff }

// Ages move on without a new snapshot: the view wakes when the first shown
// age changes, and a stale wake-up changes nothing.
func TestTaskAgesMoveOnWithoutASnapshot(t *testing.T) {
	h := newHarness(t, Options{Stack: "shop"}, 80, 24)
	h.wantScreen("celery-beat.1  manager-1  running 2h")
	shown, _ := render.SlotTasks(h.be.Snapshot.Tasks, "id-celery-beat", false)
	next := render.NextTaskAgeChange(shown, h.now)
	if next.IsZero() || !next.After(h.now) || next.Sub(h.now) > time.Hour {
		t.Fatalf("next age change at %v, now %v: want within the hour", next, h.now)
	}
	h.now = next                                       // started 2h ago: 3h from here
	h.send(common.AgesDue{At: next.Add(-time.Minute)}) // stale: not the pending timer
	h.wantScreen("celery-beat.1  manager-1  running 2h")
	h.send(common.AgesDue{At: next})
	h.wantScreen("celery-beat.1  manager-1  running 3h")
}

// holdingDiffs is the fake backend with diffs that, once hold is set, wait
// for the test's release or for their context to end, and say which.
type holdingDiffs struct {
	*fakebe.Backend
	hold    atomic.Bool
	release chan swarm.StackDiff
	ended   chan error // the held diff's context error, nil if released
}

func (b *holdingDiffs) Diff(ctx context.Context, st *stackfile.Stack) (swarm.StackDiff, error) {
	if !b.hold.Load() {
		return b.Backend.Diff(ctx, st)
	}
	select {
	case d := <-b.release:
		b.ended <- nil
		return d, nil
	case <-ctx.Done():
		b.ended <- ctx.Err()
		return swarm.StackDiff{}, ctx.Err()
	}
}

// Leaving the diff view while its diff runs cancels the diff, and its
// result, arriving after, changes nothing.
func TestLeavingTheDiffViewCancelsItsDiff(t *testing.T) {
	be := &holdingDiffs{Backend: fakebe.New(), release: make(chan swarm.StackDiff), ended: make(chan error, 1)}
	h := newHarnessOn(t, be, be.Backend, withFile(t, fakebe.ShopFile, Options{}), 80, 24)
	h.wantScreen("3 drifted from file")

	be.hold.Store(true)
	diff := h.update(common.OpenDiff{}) // the diff view's Init: its diff
	h.wantScreen("shop › diff", "comparing")
	late := make(chan tea.Msg, 1)
	go func() { late <- diff() }()
	h.keys("q")
	h.wantScreen("3 drifted from file")
	before := h.screen()

	select {
	case err := <-be.ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the diff ended with %v, want it cancelled", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("leaving the diff view did not cancel its diff")
		be.release <- swarm.StackDiff{Stack: "shop", Services: []swarm.ServiceDiff{{Service: "web", Status: swarm.DiffSame}}}
	}
	select {
	case msg := <-late:
		h.send(msg)
	case <-time.After(5 * time.Second):
		t.Fatal("the diff never returned")
	}
	if got := h.screen(); got != before {
		t.Errorf("the late diff changed the screen:\n%s\nwas:\n%s", got, before)
	}
}
