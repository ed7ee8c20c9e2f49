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

func TestLeavingTheViewStopsItsDiff(t *testing.T) {
	be := newHeldDiffer()
	m := newTestView(be)
	running := start(m.Init())
	if cmd := m.Close(); cmd != nil {
		t.Fatal("Close returned a command; it only cancels")
	}
	if !<-be.canceled {
		t.Fatal("the running diff was not cancelled")
	}
	msg := receive(t, running)
	if r, ok := msg.(result); !ok || !errors.Is(r.Err, context.Canceled) {
		t.Fatalf("got %#v, want a cancelled result", msg)
	}
}

func TestOnlyTheLatestDiffShows(t *testing.T) {
	be := newHeldDiffer()
	m := newTestView(be)
	first := start(m.Init())
	second := start(m.Init()) // r: a refresh while the first still runs
	if !<-be.canceled {
		t.Fatal("a refresh did not stop the diff it replaced")
	}
	before := m.View()
	m.Update(receive(t, first))
	if m.View() != before {
		t.Errorf("the replaced diff's result changed the view:\n%s", m.View())
	}

	be.release <- swarm.StackDiff{Stack: "shop", Services: []swarm.ServiceDiff{{Service: "web", Status: swarm.DiffSame}}}
	m.Update(receive(t, second))
	if got := m.View(); !strings.Contains(got, "stack shop is as the files say (1 service)") {
		t.Errorf("the latest diff does not show:\n%s", got)
	}
}
