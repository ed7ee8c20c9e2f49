package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/swarmtop/swarmtop/internal/report"
	"github.com/swarmtop/swarmtop/internal/termsafe"
	"github.com/swarmtop/swarmtop/swarm"
)

type deployFlags struct {
	prune, dryRun, resetReplicas, detach bool
	jobTimeout                           time.Duration
}

func newDeployCommand(g *globalFlags) *cobra.Command {
	var f deployFlags
	cmd := &cobra.Command{
		Use:   "deploy -c FILE… [--stack NAME] [--prune] [--dry-run] [--reset-replicas] [--detach]",
		Short: "Deploy stack files like docker stack deploy, then wait until every changed service converges",
		Long: "deploy creates or updates the stack's secrets, configs, networks and services through the\n" +
			"Swarm API, with the labels docker stack deploy writes. Job services (the migration) run first\n" +
			"and the other services change only once they completed. Services whose spec did not change\n" +
			"are not touched, and replica counts changed live are kept unless --reset-replicas.\n\n" +
			"Exit status: 0 when every changed service converged, 1 when one failed, paused or rolled\n" +
			"back or the deploy stopped part way, 2 for bad input (also a secret or config whose data\n" +
			"changed, or a service whose mode changed: no service is touched), 3 and up when the engine\n" +
			"cannot be used.",
		Example: "  swarmtop deploy -c stack.yml\n" +
			"  swarmtop deploy -c stack.yml -c demo.yml -s shop --dry-run\n" +
			"  RELEASE=43 swarmtop deploy -c stack.yml --prune",
		Args:        inputArgs(cobra.NoArgs),
		Annotations: mutating(), // --dry-run is let through (safety.go)
		RunE:        func(cmd *cobra.Command, _ []string) error { return runDeploy(cmd, g, f) },
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.prune, "prune", false, "remove the stack's services that are not in the files")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print the diff and the plan, change nothing")
	fl.BoolVar(&f.resetReplicas, "reset-replicas", false, "apply the files' replica counts even to services scaled since")
	fl.BoolVarP(&f.detach, "detach", "d", false, "return once the changes are stored (job services are still waited for)")
	fl.DurationVar(&f.jobTimeout, "job-timeout", 10*time.Minute, "how long to wait for each job service to complete")
	return cmd
}

func runDeploy(cmd *cobra.Command, g *globalFlags, f deployFlags) error {
	st, err := loadStack(cmd, g)
	if err != nil {
		return err
	}
	out, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	for _, w := range st.Warnings {
		fmt.Fprintln(stderr, termsafe.Clean(w))
	}
	e, err := connect(cmd, g)
	if err != nil {
		return err
	}
	defer e.Close()
	// Ctrl-C stops the wait for a job (and so the deploy), not the engine.
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	progress := newProgressPrinter(out)
	plan, err := e.PlanDeploy(ctx, st, swarm.DeployOptions{
		Prune: f.prune, DryRun: f.dryRun, ResetReplicas: f.resetReplicas,
		JobTimeout: f.jobTimeout, Progress: progress.update,
	})
	if err != nil {
		return err
	}
	if f.dryRun {
		report.Write(out, report.DiffLines(plan.Diff)...)
		report.Write(out, report.Line{}, report.PlanHeading(&plan.DeployResult))
		report.Write(out, report.PlanLines(&plan.DeployResult)...)
		return nil
	}
	report.Write(out, report.PlanHeading(&plan.DeployResult))
	report.Write(out, report.PlanLines(&plan.DeployResult)...)
	res, err := e.ApplyDeploy(ctx, plan)
	report.Write(stderr, report.WarningLines(res.Warnings)...)
	if err != nil {
		e.AuditDetached(res.Changes) // written before the stop; nobody waits for them
		report.Write(out, report.StoppedHeading(res))
		report.Write(out, report.DeployLines(res)...)
		return err
	}
	report.Write(out, report.DeploySummary(res))
	if f.detach {
		e.AuditDetached(res.Changes)
		report.Write(out, report.Detached(st.Name))
		return nil
	}
	if len(res.Changes) == 0 {
		return nil
	}
	return followChanges(cmd.Context(), out, e, res.Changes)
}
