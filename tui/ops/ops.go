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
)

// Kind names an operation.
type Kind string

const (
	Scale    Kind = swarm.ActionScale
	Restart  Kind = swarm.ActionRestart
	Rollback Kind = swarm.ActionRollback
	Image    Kind = swarm.ActionImage
)

// Op is one operation on one service, with the values it changes, so the
// confirmation can say exactly what will happen.
type Op struct {
	Kind     Kind
	Stack    string
	Service  string // short name: web
	FullName string // shop_web, as the operator sees it in docker
	From, To string // replicas or image; empty for restart and rollback
}

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
	}
	return string(o.Kind) + " " + o.FullName
}

// Short is a one-line form for the status bar and activity log.
func (o Op) Short() string {
	switch o.Kind {
	case Scale:
		return fmt.Sprintf("scale %s %s→%s", o.Service, o.From, o.To)
	case Image:
		return fmt.Sprintf("image %s → %s", o.Service, o.To)
	}
	return string(o.Kind) + " " + o.Service
}

// Actor is what ops needs from the engine; *swarm.Engine satisfies it.
type Actor interface {
	Scale(ctx context.Context, stack string, targets map[string]uint64) ([]swarm.Change, error)
	Restart(ctx context.Context, stack string, services []string) ([]swarm.Change, error)
	SetImage(ctx context.Context, stack, service, image string) (swarm.Change, error)
	Rollback(ctx context.Context, stack string, services []string) ([]swarm.Change, error)
	Converge(ctx context.Context, changes []swarm.Change, opts swarm.ConvergeOptions, onProgress func(swarm.Progress)) []swarm.Verdict
}

// Started: the engine accepted the op; progress and a verdict follow.
type Started struct {
	ID      int
	Changes []swarm.Change
	events  <-chan tea.Msg
}

// ProgressMsg is one poll of a converging service.
type ProgressMsg struct {
	ID       int
	Progress swarm.Progress
}

// Done ends an op: either Err (the engine refused it) or the verdicts.
type Done struct {
	ID       int
	Err      error
	Verdicts []swarm.Verdict
}

// Start carries op out and, once the engine took it, follows it with
// Converge in the background. Everything it needs is captured here.
func Start(ctx context.Context, a Actor, id int, op Op) tea.Cmd {
	return func() tea.Msg {
		changes, err := apply(ctx, a, op)
		if err != nil {
			return Done{ID: id, Err: err}
		}
		events := make(chan tea.Msg, 16)
		go follow(ctx, a, id, changes, events)
		return Started{ID: id, Changes: changes, events: events}
	}
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
	}
	return nil, fmt.Errorf("unknown operation %q", op.Kind)
}

// follow runs Converge, passing progress on without ever blocking it (a
// report is dropped when the UI is behind: the next one supersedes it),
// then sends the verdict, which is never dropped.
func follow(ctx context.Context, a Actor, id int, changes []swarm.Change, events chan<- tea.Msg) {
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
	events <- Done{ID: id, Verdicts: verdicts}
}
