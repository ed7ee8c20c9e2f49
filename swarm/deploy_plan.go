package swarm

import (
	"context"
	"fmt"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/stackfile"
)

// liveState is everything a plan reads from the engine, once.
type liveState struct {
	services     []swarm.Service // the stack's, no defaults inserted
	networks     []network.Summary
	networkNames map[string]string // every network: ID → name
	secrets      []swarm.Secret
	configs      []swarm.Config
}

// PlanDeploy works out what a deploy of the file would do, reading the
// engine but writing nothing. Problems that would stop the deploy part way
// (a feature the engine cannot carry, a missing external object, a changed
// config, a mode change) are errors here, before anything is written.
func (e *Engine) PlanDeploy(ctx context.Context, st *stackfile.Stack, opts DeployOptions) (*DeployPlan, error) {
	if opts.JobTimeout <= 0 {
		opts.JobTimeout = defaultJobTimeout
	}
	specs, err := ConvertStack(st, ConvertOptions{APIVersion: e.APIVersion})
	if err != nil {
		return nil, err
	}
	live, err := e.readLiveState(ctx, st.Name)
	if err != nil {
		return nil, err
	}
	plan := &DeployPlan{
		DeployResult: DeployResult{
			Stack:  st.Name,
			DryRun: opts.DryRun,
			Diff:   DiffSpecs(st.Name, specs, live.services, live.networkNames),
		},
		opts:         opts,
		secretIDs:    map[string]string{},
		configIDs:    map[string]string{},
		networkNames: live.networkNames,
	}
	for _, s := range live.secrets {
		plan.secretIDs[s.Spec.Name] = s.ID
	}
	for _, c := range live.configs {
		plan.configIDs[c.Spec.Name] = c.ID
	}
	planners := []func(*stackfile.Stack, liveState) error{
		plan.planSecrets, plan.planConfigs, plan.planNetworks,
	}
	for _, p := range planners {
		if err := p(st, live); err != nil {
			return nil, err
		}
	}
	if err := e.planServices(ctx, plan, st, specs, live); err != nil {
		return nil, err
	}
	return plan, nil
}

// readLiveState reads the stack's services and every network, secret and
// config. The four lists do not depend on each other, so they go out at
// once: planning waits for the slowest, not for their sum.
func (e *Engine) readLiveState(ctx context.Context, stack string) (liveState, error) {
	var ls liveState
	err := inParallel(
		func() (err error) {
			ls.services, err = e.StackServices(ctx, stack)
			return wrapList("services", err)
		},
		func() error {
			nets, err := e.api.NetworkList(ctx, client.NetworkListOptions{})
			ls.networks, ls.networkNames = nets.Items, networkNamesOf(nets.Items)
			return wrapList("networks", err)
		},
		func() error {
			secrets, err := e.api.SecretList(ctx, client.SecretListOptions{})
			ls.secrets = secrets.Items
			return wrapList("secrets", err)
		},
		func() error {
			configs, err := e.api.ConfigList(ctx, client.ConfigListOptions{})
			ls.configs = configs.Items
			return wrapList("configs", err)
		},
	)
	return ls, err
}

// wrapList names the list that failed.
func wrapList(what string, err error) error {
	if err != nil {
		return fmt.Errorf("list %s: %w", what, err)
	}
	return nil
}
