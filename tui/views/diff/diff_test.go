package diff

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/stackfile"
	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/styles"
)

// heldDiffer answers each Diff when the test releases it, or when its
// context ends, and says which of the two it was.
type heldDiffer struct {
	release  chan swarm.StackDiff
	canceled chan bool
}

func newHeldDiffer() *heldDiffer {
	return &heldDiffer{release: make(chan swarm.StackDiff), canceled: make(chan bool, 4)}
}

func (h *heldDiffer) Diff(ctx context.Context, _ *stackfile.Stack) (swarm.StackDiff, error) {
	select {
	case d := <-h.release:
		h.canceled <- false
		return d, nil
	case <-ctx.Done():
		h.canceled <- true
		return swarm.StackDiff{}, ctx.Err()
	}
}

func newTestView(be *heldDiffer) *Model {
	c := &common.Common{Styles: styles.New(true, false)}
	m := New(context.Background(), c, "v1", be, &stackfile.Stack{Name: "shop", Files: []string{"/srv/stack.yml"}})
	m.SetSize(80, 20)
	return m
}

// start runs a diff command on its own goroutine, as Bubble Tea would, and
// returns where its message arrives.
func start(cmd tea.Cmd) <-chan tea.Msg {
	out := make(chan tea.Msg, 1)
	go func() { out <- cmd() }()
	return out
}

func receive(t *testing.T, ch <-chan tea.Msg) tea.Msg {
	t.Helper()
	select {
	case msg := <-ch:
		return msg.(common.Tagged).Msg
	case <-time.After(10 * time.Second):
		t.Fatal("the diff never answered")
		return nil
	}
}

// wasCanceled says how the held diff ended: true if by its context. A diff
// still held after a while is released, so the test goes on and fails
// rather than hangs.
func (h *heldDiffer) wasCanceled(t *testing.T) bool {
	t.Helper()
	select {
	case c := <-h.canceled:
		return c
	case <-time.After(5 * time.Second):
		h.release <- sameShop
		return <-h.canceled
	}
}

var sameShop = swarm.StackDiff{Stack: "shop", Services: []swarm.ServiceDiff{{Service: "web", Status: swarm.DiffSame}}}

func TestLeavingTheViewStopsItsDiff(t *testing.T) {
	be := newHeldDiffer()
	m := newTestView(be)
	running := start(m.Init())
	before := m.View()
	if cmd := m.Close(); cmd != nil {
		t.Fatal("Close returned a command; it only cancels")
	}
	canceled := be.wasCanceled(t)
	if !canceled {
		t.Error("the running diff was not cancelled")
	}
	msg := receive(t, running)
	if r, ok := msg.(result); !ok || canceled && !errors.Is(r.Err, context.Canceled) {
		t.Errorf("got %#v, want a cancelled result", msg)
	}
	// Were it delivered anyway, the late result changes nothing.
	m.Update(msg)
	if got := m.View(); got != before {
		t.Errorf("a result after Close changed the view:\n%s", got)
	}
}

func TestOnlyTheLatestDiffShows(t *testing.T) {
	be := newHeldDiffer()
	m := newTestView(be)
	first := start(m.Init())
	second := start(m.Init()) // r: a refresh while the first still runs
	if !be.wasCanceled(t) {
		t.Fatal("a refresh did not stop the diff it replaced")
	}
	before := m.View()
	m.Update(receive(t, first))
	if m.View() != before {
		t.Errorf("the replaced diff's result changed the view:\n%s", m.View())
	}

	be.release <- sameShop
	m.Update(receive(t, second))
	if got := m.View(); !strings.Contains(got, "stack shop is as the files say (1 service)") {
		t.Errorf("the latest diff does not show:\n%s", got)
	}
}
