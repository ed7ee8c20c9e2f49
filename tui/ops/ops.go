// Package ops carries out service operations (scale, restart, rollback,
// image) and follows them to a verdict, all inside tea.Cmds: the UI never
// blocks and several operations can run at once.
package ops

import (
	"context"
	"fmt"
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/render"
)

// Kind names an operation.
type Kind string

const (
	Scale    Kind = swarm.ActionScale
	Restart  Kind = swarm.ActionRestart
	Rollback Kind = swarm.ActionRollback
	Image    Kind = swarm.ActionImage
	Release  Kind = swarm.ActionRelease
	Deploy   Kind = swarm.ActionDeploy

	// Node availability changes; their Op names the node, not a service.
	NodeDrain    Kind = "node drain"
	NodePause    Kind = "node pause"
	NodeActivate Kind = "node activate"
)

// Op is one operation on one service, with the values it changes, so the
// confirmation can say exactly what will happen.
type Op struct {
	Kind     Kind
	Stack    string
	Service  string // short name: web
	FullName string // shop_web, as the operator sees it in docker
	From, To string // replicas or image, or tags for release; empty for restart and rollback
	// Plan is what a deploy will do, worked out before the confirmation.
	Plan *swarm.DeployPlan
	// Preview is what a release, deploy or node change will change, a
	// line each, for the confirmation.
	Preview string
	// Node and NodeID name the node of a node op (From and To are then
	// its availability): the ID is what the engine is asked about, since
	// two nodes can share a hostname.
	Node, NodeID string
}

// IsNode reports an op on a node rather than on a service.
func (o Op) IsNode() bool { return o.NodeID != "" }

// Describe says what the op will do: "Scale shop_web 2 → 3".
func (o Op) Describe() string {
	switch o.Kind {
	case Scale:
		return fmt.Sprintf("Scale %s %s → %s", o.FullName, o.From, o.To)
	case Image:
		return fmt.Sprintf("Set image of %s\n  %s\n→ %s", o.FullName, o.From, o.To)
	case Restart:
		return fmt.Sprintf("Restart every task of %s (rolling)", o.FullName)
	case Rollback:
		return fmt.Sprintf("Roll %s back to its previous spec", o.FullName)
	case Release:
		return fmt.Sprintf("Release stack %s: tag %s → %s\n%s", o.Stack, o.From, o.To, o.Preview)
	case Deploy:
		return fmt.Sprintf("Deploy the stack file to stack %s\n%s", o.Stack, o.Preview)
	case NodeDrain, NodePause, NodeActivate:
		return o.Preview
	}
	return string(o.Kind) + " " + o.FullName
}

// Short is a one-line form for the status bar and activity log.
func (o Op) Short() string { return render.Clean(o.short()) } // names come from the engine

func (o Op) short() string {
	switch o.Kind {
	case Scale:
		return fmt.Sprintf("scale %s %s→%s", o.Service, o.From, o.To)
	case Image:
		return fmt.Sprintf("image %s → %s", o.Service, o.To)
	case Release:
		return fmt.Sprintf("release %s %s→%s", o.Stack, o.From, o.To)
	case Deploy:
		return "deploy " + o.Stack
	case NodeDrain, NodePause, NodeActivate:
		return string(o.Kind) + " " + o.Node
	}
	return string(o.Kind) + " " + o.Service
}

// Actor is what ops needs from the engine; *swarm.Engine satisfies it.
type Actor interface {
	Scale(ctx context.Context, stack string, targets map[string]uint64) ([]swarm.Change, error)
	Restart(ctx context.Context, stack string, services []string) ([]swarm.Change, error)
	SetImage(ctx context.Context, stack, service, image string) (swarm.Change, error)
	Rollback(ctx context.Context, stack string, services []string) ([]swarm.Change, error)
	Release(ctx context.Context, stack, newTag, oldTag string) ([]swarm.Change, []swarm.SkippedService, error)
	ApplyDeploy(ctx context.Context, plan *swarm.DeployPlan) (*swarm.DeployResult, error)
	Converge(ctx context.Context, changes []swarm.Change, opts swarm.ConvergeOptions, onProgress func(swarm.Progress)) []swarm.Verdict
	NodeActor
}

// Started: the engine accepted the op; progress and a verdict follow.
type Started struct {
	ID      int
	Changes []swarm.Change
	events  <-chan tea.Msg
}

// ProgressMsg is one poll of a converging service, or of a drained node
// when Drain is set.
type ProgressMsg struct {
	ID       int
	Progress swarm.Progress
	Drain    *swarm.DrainProgress
}

// Done ends an op: either Err (the engine refused it) or the verdicts.
// A deploy also carries its per-object report.
type Done struct {
	ID       int
	Err      error
	Verdicts []swarm.Verdict
	Deploy   *swarm.DeployResult
	Node     *NodeResult // a node op's outcome
}

// Start carries op out and, once the engine took it, follows it with
// Converge in the background. Everything it needs is captured here.
func Start(ctx context.Context, a Actor, id int, op Op) tea.Cmd {
	return func() tea.Msg {
		if op.Kind == Deploy {
			return startDeploy(ctx, a, id, op.Plan)
		}
		if op.IsNode() {
			return startNode(ctx, a, id, op)
		}
		changes, err := apply(ctx, a, op)
		if err != nil {
			return Done{ID: id, Err: err}
		}
		return follow(ctx, a, id, changes, nil)
	}
}

// startDeploy applies a plan; a deploy that stopped part way ends with its
// report, one that went through is followed like any other op.
func startDeploy(ctx context.Context, a Actor, id int, plan *swarm.DeployPlan) tea.Msg {
	if plan == nil {
		return Done{ID: id, Err: fmt.Errorf("no deploy plan")}
	}
	res, err := a.ApplyDeploy(ctx, plan)
	if err != nil || res == nil {
		return Done{ID: id, Err: err, Deploy: res}
	}
	return follow(ctx, a, id, res.Changes, res)
}

// follow starts Converge on the changes in the background.
func follow(ctx context.Context, a Actor, id int, changes []swarm.Change, res *swarm.DeployResult) tea.Msg {
	events := make(chan tea.Msg, 16)
	go converge(ctx, a, id, changes, res, events)
	return Started{ID: id, Changes: changes, events: events}
}

// Next waits for the next progress report or the verdict of a started op.
func Next(s Started) tea.Cmd {
	events := s.events
	return func() tea.Msg { return <-events }
}

func apply(ctx context.Context, a Actor, op Op) ([]swarm.Change, error) {
	switch op.Kind {
	case Scale:
		n, err := strconv.ParseUint(op.To, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("replicas %q: %w", op.To, err)
		}
		return a.Scale(ctx, op.Stack, map[string]uint64{op.Service: n})
	case Restart:
		return a.Restart(ctx, op.Stack, []string{op.Service})
	case Rollback:
		return a.Rollback(ctx, op.Stack, []string{op.Service})
	case Image:
		c, err := a.SetImage(ctx, op.Stack, op.Service, op.To)
		return []swarm.Change{c}, err
	case Release:
		changes, _, err := a.Release(ctx, op.Stack, op.To, op.From)
		return changes, err
	}
	return nil, fmt.Errorf("unknown operation %q", op.Kind)
}

// converge runs Converge, passing progress on without ever blocking it (a
// report is dropped when the UI is behind: the next one supersedes it),
// then sends the verdict, which is never dropped.
func converge(ctx context.Context, a Actor, id int, changes []swarm.Change, res *swarm.DeployResult, events chan<- tea.Msg) {
	var todo []swarm.Change
	for _, c := range changes {
		if !c.Unchanged() {
			todo = append(todo, c)
		}
	}
	verdicts := a.Converge(ctx, todo, swarm.ConvergeOptions{}, func(p swarm.Progress) {
		select {
		case events <- ProgressMsg{ID: id, Progress: p}:
		default:
		}
	})
	events <- Done{ID: id, Verdicts: verdicts, Deploy: res}
}
