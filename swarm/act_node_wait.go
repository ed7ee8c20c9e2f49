package swarm

import (
	"context"
	"fmt"
	"time"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
)

// drainPoll is how often WaitNodeDrained looks: swarm sends no task
// events, and rescheduling a drained task takes seconds.
const drainPoll = 500 * time.Millisecond

// DrainProgress is where the tasks of a drained node stand.
type DrainProgress struct {
	Node             string // hostname
	OnNode           int    // tasks still running on the node
	Moved            int    // replicated tasks the drain took off the node
	RunningElsewhere int    // of those, the ones whose replacement runs on another node
	Pending          int    // moved tasks with no running replacement yet
	// NoCapacity: no other node is active and ready, so the pending tasks
	// cannot start until one is.
	NoCapacity bool
}

// Done is a drain that has nothing left to wait for: the node runs no
// task, and every moved task runs elsewhere or has nowhere to go.
func (p DrainProgress) Done() bool {
	return p.OnNode == 0 && (p.Pending == 0 || p.NoCapacity)
}

// OK is a drain whose every moved task runs again on another node.
func (p DrainProgress) OK() bool { return p.OnNode == 0 && p.Pending == 0 }

// Text is the one-line state: "12 tasks moved: 12 running elsewhere", or
// "12 tasks moved: 12 pending: no other node can take them".
func (p DrainProgress) Text() string {
	text := p.movedText()
	if p.OnNode > 0 {
		text = fmt.Sprintf("%d still running on %s · %s", p.OnNode, p.Node, text)
	}
	return text
}

func (p DrainProgress) movedText() string {
	if p.Moved == 0 {
		return "no tasks moved"
	}
	text := plural(p.Moved, "task") + " moved: "
	switch {
	case p.Pending == 0:
		return text + fmt.Sprintf("%d running elsewhere", p.RunningElsewhere)
	case p.RunningElsewhere > 0:
		text += fmt.Sprintf("%d running elsewhere, ", p.RunningElsewhere)
	}
	text += fmt.Sprintf("%d pending", p.Pending)
	if p.NoCapacity {
		text += ": no other node can take them"
	}
	return text
}

// WaitNodeDrained follows a drain until the node runs no task and the
// tasks it ran run elsewhere: `docker node update --availability drain`
// returns before that (docker/docs#9917). It reports each poll to
// onProgress and returns the last; ctx bounds the wait, and a wait cut
// short returns the progress so far (not Done) without an error.
func (e *Engine) WaitNodeDrained(ctx context.Context, change NodeChange, onProgress func(DrainProgress)) (DrainProgress, error) {
	var last DrainProgress
	for {
		p, err := e.drainProgress(ctx, change)
		if err != nil {
			if ctx.Err() != nil && last.Node != "" {
				return last, nil
			}
			return last, err
		}
		last = p
		if onProgress != nil {
			onProgress(p)
		}
		if p.Done() {
			return p, nil
		}
		select {
		case <-ctx.Done():
			return p, nil
		case <-time.After(drainPoll):
		}
	}
}

// drainProgress reads the nodes, the node's tasks and the tasks meant to
// run, and tallies them.
func (e *Engine) drainProgress(ctx context.Context, change NodeChange) (DrainProgress, error) {
	var nodes []swarm.Node
	var onNode, running []swarm.Task
	err := inParallel(
		func() (err error) { nodes, err = e.listNodes(ctx); return err },
		func() (err error) {
			onNode, err = e.listTasks(ctx, make(client.Filters).Add("node", change.NodeID))
			return err
		},
		func() (err error) {
			running, err = e.listTasks(ctx, make(client.Filters).Add("desired-state", "running"))
			return err
		},
	)
	if err != nil {
		return DrainProgress{}, err
	}
	return tallyDrain(change, buildNodes(nodes, nil), onNode, running), nil
}

// tallyDrain counts the tasks still running on the drained node and, for
// each moved slot, whether its replacement runs on another node yet.
func tallyDrain(change NodeChange, nodes []Node, onNode, running []swarm.Task) DrainProgress {
	p := DrainProgress{Node: change.Node, Moved: len(change.moving)}
	for _, t := range onNode {
		if t.NodeID == change.NodeID && t.Status.State == swarm.TaskStateRunning {
			p.OnNode++
		}
	}
	for _, slot := range change.moving {
		if replacementRuns(slot, change.NodeID, running) {
			p.RunningElsewhere++
		} else {
			p.Pending++
		}
	}
	p.NoCapacity = otherActiveNodes(nodes, Node{ID: change.NodeID}) == 0
	return p
}

// replacementRuns: the slot has a task running on a node other than the
// drained one.
func replacementRuns(slot slotKey, drained string, running []swarm.Task) bool {
	for _, t := range running {
		if t.ServiceID == slot.service && t.Slot == slot.slot && t.NodeID != drained &&
			t.Status.State == swarm.TaskStateRunning {
			return true
		}
	}
	return false
}
