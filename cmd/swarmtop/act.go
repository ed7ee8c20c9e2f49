package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/swarmtop/swarmtop/internal/report"
	"github.com/swarmtop/swarmtop/internal/termsafe"
	"github.com/swarmtop/swarmtop/stackfile"
	"github.com/swarmtop/swarmtop/swarm"
)

// The acting commands: scale, restart, image, release, rollback. Each makes
// its change, prints what changed, then follows every changed service to a
// verdict unless --detach.

func newScaleCommand(g *globalFlags) *cobra.Command {
	var f actFlags
	var writeBack bool
	cmd := &cobra.Command{
		Use:         "scale SERVICE=REPLICAS...",
		Annotations: mutating(),
		Short:       "Set the replica count of services and wait until the tasks run",
		Example: "  swarmtop scale web=4 celery-worker=2 -s shop\n" +
			"  swarmtop scale shop_web=1 -c stack.yml --detach\n" +
			"  swarmtop scale web=4 -c stack.yml --write-back   # also set replicas: 4 in the file",
		Args: inputArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			targets, err := parseScaleArgs(args)
			if err != nil {
				return err
			}
			var st *stackfile.Stack
			if writeBack {
				// Load first: a broken file should stop the scale, not
				// surface after the cluster has changed.
				if st, err = loadStack(cmd, g); err != nil {
					return err
				}
			}
			// The arguments are read into targets already, before connecting.
			return runAct(cmd, g, f, args, func(ctx context.Context, e *swarm.Engine, stack string, _ []string) (actResult, error) {
				changes, err := e.Scale(ctx, stack, targets)
				if err == nil && st != nil {
					writeReplicasBack(cmd.OutOrStdout(), cmd.ErrOrStderr(), st, stack, targets)
				}
				return actResult{changes: changes}, err
			})
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&writeBack, "write-back", false,
		"also write the new counts into the -c stack file, so the next deploy keeps them")
	return cmd
}

// writeReplicasBack sets deploy.replicas in the stack file for each scaled
// service. A value the file takes from a variable is not written: the
// message names the variable and where to change it.
func writeReplicasBack(out, errOut io.Writer, st *stackfile.Stack, stack string, targets map[string]uint64) {
	for _, name := range slices.Sorted(maps.Keys(targets)) {
		res, err := stackfile.WriteBackReplicas(st, swarm.ShortName(stack, name), targets[name])
		if err != nil {
			fmt.Fprintf(errOut, "write-back not done: %v\n", err)
			continue
		}
		fmt.Fprintf(out, "wrote %s\n", res)
	}
}

// parseScaleArgs reads SERVICE=REPLICAS pairs.
func parseScaleArgs(args []string) (map[string]uint64, error) {
	targets := map[string]uint64{}
	for _, arg := range args {
		name, count, ok := strings.Cut(arg, "=")
		if !ok || name == "" {
			return nil, badInput(fmt.Errorf("scale %q: want SERVICE=REPLICAS, e.g. web=3", arg))
		}
		n, err := strconv.ParseUint(count, 10, 64)
		if err != nil {
			return nil, badInput(fmt.Errorf("scale %q: replicas must be a whole number, e.g. %s=3", arg, name))
		}
		if _, dup := targets[name]; dup {
			return nil, badInput(fmt.Errorf("scale: %s is given twice", name))
		}
		targets[name] = n
	}
	return targets, nil
}

func newRestartCommand(g *globalFlags) *cobra.Command {
	return newActCommand(g, &cobra.Command{
		Use:     "restart SERVICE...",
		Short:   "Replace every task of services, rolling as their update config says (docker service update --force)",
		Example: "  swarmtop restart web celery-worker -s shop",
		Args:    inputArgs(cobra.MinimumNArgs(1)),
	}, func(ctx context.Context, e *swarm.Engine, stack string, args []string) (actResult, error) {
		changes, err := e.Restart(ctx, stack, args)
		return actResult{changes: changes}, err
	})
}

func newImageCommand(g *globalFlags) *cobra.Command {
	return newActCommand(g, &cobra.Command{
		Use:     "image SERVICE IMAGE",
		Short:   "Run a service on another image and wait for the rolling update",
		Example: "  swarmtop image web registry.example.com/shop/django:43 -s shop",
		Args:    inputArgs(cobra.ExactArgs(2)),
	}, func(ctx context.Context, e *swarm.Engine, stack string, args []string) (actResult, error) {
		change, err := e.SetImage(ctx, stack, args[0], args[1])
		if err != nil {
			return actResult{}, err
		}
		return actResult{changes: []swarm.Change{change}}, nil
	})
}

func newReleaseCommand(g *globalFlags) *cobra.Command {
	var from string
	cmd := newActCommand(g, &cobra.Command{
		Use:   "release TAG [--from OLDTAG]",
		Short: "Move every service on the stack's release tag to a new tag in one step",
		Long: "release gives every service whose image carries the old tag the same image with the new\n" +
			"tag, and leaves services on other tags (memcached:1.6-alpine) alone. The old tag is the one\n" +
			"most services share unless --from names it.",
		Example: "  swarmtop release 43 -s shop\n" +
			"  swarmtop release 43 --from 42 -c stack.yml",
		Args: inputArgs(cobra.ExactArgs(1)),
	}, func(ctx context.Context, e *swarm.Engine, stack string, args []string) (actResult, error) {
		changes, skipped, err := e.Release(ctx, stack, args[0], from)
		return actResult{changes: changes, skipped: skipped}, err
	})
	cmd.Flags().StringVar(&from, "from", "", "the tag to move away from (default: the tag most services share)")
	return cmd
}

func newRollbackCommand(g *globalFlags) *cobra.Command {
	return newActCommand(g, &cobra.Command{
		Use:     "rollback SERVICE...",
		Short:   "Restore services' previous spec (swarm keeps one) and wait until it runs",
		Example: "  swarmtop rollback web -s shop",
		Args:    inputArgs(cobra.MinimumNArgs(1)),
	}, func(ctx context.Context, e *swarm.Engine, stack string, args []string) (actResult, error) {
		changes, err := e.Rollback(ctx, stack, args)
		return actResult{changes: changes}, err
	})
}

// newActCommand completes an acting command whose input is all in its
// arguments: it marks cmd mutating (the --read-only guard), adds --detach
// and runs act through runAct with the arguments. scale, which checks its
// input before connecting, wires itself.
func newActCommand(g *globalFlags, cmd *cobra.Command, act actFunc) *cobra.Command {
	var f actFlags
	cmd.Annotations = mutating()
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		return runAct(cmd, g, f, args, act)
	}
	f.register(cmd)
	return cmd
}

// inputArgs makes a wrong number of arguments bad input (exit 2).
func inputArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return badInput(fmt.Errorf("%s: %w (usage: %s)", cmd.Name(), err, cmd.UseLine()))
		}
		return nil
	}
}

// actFlags are the flags every acting command shares.
type actFlags struct {
	detach bool
}

func (f *actFlags) register(cmd *cobra.Command) {
	cmd.Flags().BoolVarP(&f.detach, "detach", "d", false, "return once the change is stored, without waiting for the tasks")
}

// actResult is what an action did.
type actResult struct {
	changes []swarm.Change
	skipped []swarm.SkippedService
}

// actFunc makes the change on the stack; args are the command's arguments.
type actFunc func(ctx context.Context, e *swarm.Engine, stack string, args []string) (actResult, error)

// runAct resolves the stack, connects, acts, prints what changed (also what
// changed before an error) and follows the changes to their verdicts.
func runAct(cmd *cobra.Command, g *globalFlags, f actFlags, args []string, act actFunc) error {
	stack, e, err := connectStack(cmd, g)
	if err != nil {
		return err
	}
	defer e.Close()
	res, err := act(cmd.Context(), e, stack, args)
	out := cmd.OutOrStdout()
	writeChanges(out, res)
	if err != nil {
		e.AuditDetached(res.changes) // made before the error; nobody waits for them
		return err
	}
	if f.detach {
		e.AuditDetached(res.changes)
		report.Write(out, report.Detached(stack))
		return nil
	}
	return followChanges(cmd.Context(), out, e, res.changes)
}

// followChanges waits for every change's verdict. Ctrl-C stops the wait,
// not the update: the services then report where they stood.
func followChanges(ctx context.Context, out io.Writer, e *swarm.Engine, changes []swarm.Change) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	p := newProgressPrinter(out)
	verdicts := e.Converge(ctx, changes, swarm.ConvergeOptions{}, p.update)
	writeVerdicts(out, verdicts)
	if lost := swarm.LostEngine(verdicts); lost != nil {
		return &engineLostError{lost}
	}
	if swarm.ExitCodeFor(verdicts) != 0 {
		return notConverged(verdicts)
	}
	return nil
}

// writeChanges prints one line per change: action, service, before → after.
func writeChanges(out io.Writer, res actResult) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, c := range res.changes {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Action, termsafe.Clean(c.Service), termsafe.Clean(changeText(c)))
	}
	for _, s := range res.skipped {
		fmt.Fprintf(tw, "skip\t%s\t%s (%s)\n", termsafe.Clean(s.Service), termsafe.Clean(s.Image), termsafe.Clean(s.Reason))
	}
	tw.Flush()
}

func changeText(c swarm.Change) string {
	switch {
	case c.Action == swarm.ActionRestart:
		return fmt.Sprintf("every task replaced (force update %s → %s)", c.Before, c.After)
	case c.Unchanged():
		return c.After + " (unchanged)"
	}
	return c.Before + " → " + c.After
}

// writeVerdicts prints each service's verdict, with its task errors whole.
func writeVerdicts(out io.Writer, verdicts []swarm.Verdict) {
	for _, v := range verdicts {
		line := fmt.Sprintf("%s %s in %s", termsafe.Clean(v.Service), v.Kind, v.Elapsed.Round(100*time.Millisecond))
		switch {
		case v.Message == "":
		case v.OK():
			line += " (" + termsafe.Clean(v.Message) + ")"
		default:
			line += ": " + termsafe.Clean(v.Message)
		}
		fmt.Fprintln(out, line)
		for _, msg := range v.TaskErrors {
			fmt.Fprintln(out, "    task error: "+termsafe.Clean(msg))
		}
		if v.Kind == swarm.Paused {
			// A paused update waits for a person: say what they can do.
			fmt.Fprintf(out, "    it runs a mix of old and new tasks until you act: `swarmtop rollback %s`"+
				" restores the previous spec, `swarmtop image` tries another image\n", termsafe.Clean(v.Service))
		}
	}
}

// notConvergedError ends a command whose services did not all converge:
// exit 1, naming them.
type notConvergedError struct{ failed []string }

func notConverged(verdicts []swarm.Verdict) error {
	var failed []string
	for _, v := range verdicts {
		if !v.OK() {
			failed = append(failed, v.Service+" "+v.Kind.String())
		}
	}
	return &notConvergedError{failed}
}

func (e *notConvergedError) Error() string { return "not converged: " + strings.Join(e.failed, ", ") }

func (e *notConvergedError) ExitCode() int { return exitFailed }

// engineLostError ends a wait that lost the engine, saying what to do next;
// its exit status is swarm's: that of an engine that cannot be reached.
type engineLostError struct{ lost *swarm.EngineLostError }

func (e *engineLostError) Error() string {
	return termsafe.Clean(e.lost.Error()) + "; the update continues in the swarm; check with `swarmtop status`"
}

func (e *engineLostError) ExitCode() int { return e.lost.ExitCode() }
