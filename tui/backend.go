// Package tui is swarmtop's terminal UI: the root model routes messages
// between views, dialogs and operations; the views live in tui/views.
package tui

import (
	"context"

	"github.com/swarmtop/swarmtop/stackfile"
	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/drift"
	"github.com/swarmtop/swarmtop/tui/live"
	"github.com/swarmtop/swarmtop/tui/ops"
	"github.com/swarmtop/swarmtop/tui/views/nodes"
	"github.com/swarmtop/swarmtop/tui/views/stacks"
)

// Backend is everything the UI asks of the engine: reads, the watch,
// actions, convergence and logs. *swarm.Engine satisfies it as it is;
// tests pass a fake.
type Backend interface {
	live.Watcher
	nodes.Lister
	stacks.Lister
	ops.Actor
	drift.Differ
	PlanDeploy(ctx context.Context, st *stackfile.Stack, opts swarm.DeployOptions) (*swarm.DeployPlan, error)
	Logs(ctx context.Context, stack string, opts swarm.LogOptions) (*swarm.LogStream, error)
}

var _ Backend = (*swarm.Engine)(nil)
