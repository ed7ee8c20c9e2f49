package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

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
		writeDiff(out, plan.Diff)
		fmt.Fprintln(out)
		writeDeployObjects(out, &plan.DeployResult, "plan (dry run, nothing changed)", true)
		return nil
	}
	writeDeployObjects(out, &plan.DeployResult, "plan", true)
	res, err := e.ApplyDeploy(ctx, plan)
	for _, w := range res.Warnings {
		fmt.Fprintln(stderr, "warning: "+termsafe.Clean(w))
	}
	if err != nil {
		e.AuditDetached(res.Changes) // written before the stop; nobody waits for them
		writeDeployObjects(out, res, "deploy stopped; what was done", false)
		return err
	}
	fmt.Fprintln(out, deploySummary(res))
	if f.detach {
		e.AuditDetached(res.Changes)
		fmt.Fprintf(out, "not waiting (--detach): `swarmtop status -s %s` shows how it goes\n", st.Name)
		return nil
	}
	if len(res.Changes) == 0 {
		return nil
	}
	return followChanges(cmd.Context(), out, e, res.Changes)
}

// planWords are the actions as a plan states them.
var planWords = map[swarm.ObjectAction]string{
	swarm.ObjectCreated: "create",
	swarm.ObjectUpdated: "update",
	swarm.ObjectRemoved: "remove",
}

// writeDeployObjects prints one line per object, then the notes. A plan
// says what will happen (create, update); a report what did (created,
// failed, skipped).
func writeDeployObjects(out io.Writer, r *swarm.DeployResult, title string, planned bool) {
	fmt.Fprintf(out, "%s for stack %s:\n", title, r.Stack)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, o := range r.Objects {
		action := string(o.Action)
		if w, ok := planWords[o.Action]; ok && planned {
			action = w
		}
		line := fmt.Sprintf("  %s\t%s\t%s", o.Kind, termsafe.Clean(o.Name), action)
		if o.Detail != "" {
			line += "\t" + termsafe.Clean(o.Detail)
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	for _, n := range r.Notes {
		fmt.Fprintln(out, "note: "+termsafe.Clean(n))
	}
}

// deploySummary counts what a deploy did: "deployed shop: 2 created, 1 updated, 9 unchanged".
func deploySummary(r *swarm.DeployResult) string {
	counts := map[swarm.ObjectAction]int{}
	for _, o := range r.Objects {
		counts[o.Action]++
	}
	var parts []string
	for _, a := range []swarm.ObjectAction{swarm.ObjectCreated, swarm.ObjectUpdated, swarm.ObjectRemoved, swarm.ObjectUnchanged} {
		if counts[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[a], a))
		}
	}
	return fmt.Sprintf("deployed %s: %s", r.Stack, strings.Join(parts, ", "))
}
