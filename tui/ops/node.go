package ops

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/render"
)

// DrainWait bounds how long a drain op waits for the node's tasks to run
// elsewhere before it reports the ones still pending.
const DrainWait = 2 * time.Minute

// NodeActor is what node ops need from the engine.
type NodeActor interface {
	SetNodeAvailability(ctx context.Context, node, availability string) (swarm.NodeChange, error)
	WaitNodeDrained(ctx context.Context, change swarm.NodeChange, onProgress func(swarm.DrainProgress)) (swarm.DrainProgress, error)
}

// NodeResult is how a node op ended: the change and, for a drain, where
// the moved tasks stand.
type NodeResult struct {
	Change swarm.NodeChange
	Drain  *swarm.DrainProgress
}

// OK: not a drain, or a drain whose tasks all run elsewhere.
func (r NodeResult) OK() bool { return r.Drain == nil || r.Drain.OK() }

// Text is "active → drain · 12 tasks moved: 12 running elsewhere", with
// the change's warning when there is one.
func (r NodeResult) Text() string {
	c := r.Change
	text := c.Before + " → " + c.After
	if c.Unchanged() {
		text = "already " + c.After
	}
	if r.Drain != nil {
		text += " · " + r.Drain.Text()
	} else if c.Warning != "" {
		text += " · " + c.Warning
	}
	return render.Clean(text)
}

// startNode changes the node's availability; a drain is then followed in
// the background until its tasks run elsewhere, because the engine's
// drain does not wait for that.
func startNode(ctx context.Context, a Actor, id int, op Op) tea.Msg {
	change, err := a.SetNodeAvailability(ctx, op.NodeID, op.To)
	if err != nil {
		return Done{ID: id, Err: err}
	}
	if op.Kind != NodeDrain {
		return Done{ID: id, Node: &NodeResult{Change: change}}
	}
	events := make(chan tea.Msg, 16)
	go waitDrained(ctx, a, id, change, events)
	return Started{ID: id, events: events}
}

// waitDrained passes progress on without blocking (a dropped report is
// superseded by the next) and always sends the result.
func waitDrained(ctx context.Context, a Actor, id int, change swarm.NodeChange, events chan<- tea.Msg) {
	ctx, cancel := context.WithTimeout(ctx, DrainWait)
	defer cancel()
	p, err := a.WaitNodeDrained(ctx, change, func(p swarm.DrainProgress) {
		select {
		case events <- ProgressMsg{ID: id, Drain: &p}:
		default:
		}
	})
	events <- Done{ID: id, Err: err, Node: &NodeResult{Change: change, Drain: &p}}
}
