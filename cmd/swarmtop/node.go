package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/swarmtop/swarmtop/internal/termsafe"
	"github.com/swarmtop/swarmtop/swarm"
)

// defaultDrainWait bounds the wait for a drain's tasks to run elsewhere:
// a replacement usually starts within seconds, so two minutes without one
// means it will not start by itself.
const defaultDrainWait = 2 * time.Minute

func newNodeCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "node drain|pause|activate NODE",
		Short: "Drain, pause or activate a node for maintenance",
		Args:  inputArgs(cobra.NoArgs),
		// Runnable so that a wrong subcommand is bad input, not help.
		RunE: func(cmd *cobra.Command, _ []string) error {
			return badInput(fmt.Errorf("node: want drain, pause or activate (usage: %s)", cmd.UseLine()))
		},
	}
	cmd.AddCommand(
		newNodeAvailabilityCommand(g, swarm.AvailabilityDrain, "drain",
			"Move every task off a node and wait until they run elsewhere"),
		newNodeAvailabilityCommand(g, swarm.AvailabilityPause, "pause",
			"Stop placing new tasks on a node; its tasks keep running"),
		newNodeAvailabilityCommand(g, swarm.AvailabilityActive, "activate",
			"Let the scheduler place tasks on a node again"),
	)
	return cmd
}

// nodeFlags are the flags of the node subcommands; only drain waits.
type nodeFlags struct {
	detach bool
	wait   time.Duration
}

func newNodeAvailabilityCommand(g *globalFlags, availability, verb, short string) *cobra.Command {
	var f nodeFlags
	cmd := &cobra.Command{
		Use:         verb + " NODE",
		Annotations: mutating(),
		Short:       short,
		Example:     "  swarmtop node " + verb + " worker-2",
		Args:        inputArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runNodeAvailability(cmd, g, args[0], availability, f)
		},
	}
	if availability == swarm.AvailabilityDrain {
		cmd.Flags().BoolVarP(&f.detach, "detach", "d", false, "return once the node is drained, without waiting for its tasks to run elsewhere")
		cmd.Flags().DurationVar(&f.wait, "wait", defaultDrainWait, "how long to wait for the moved tasks to run elsewhere")
	}
	return cmd
}

// runNodeAvailability changes the node, says what changed and, for a
// drain, waits until the node's tasks run elsewhere.
func runNodeAvailability(cmd *cobra.Command, g *globalFlags, node, availability string, f nodeFlags) error {
	e, err := connect(cmd, g)
	if err != nil {
		return err
	}
	defer e.Close()
	change, err := e.SetNodeAvailability(cmd.Context(), node, availability)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	writeNodeChange(out, change)
	switch {
	case availability != swarm.AvailabilityDrain:
		return nil
	case f.detach:
		fmt.Fprintln(out, "not waiting (--detach): `swarmtop nodes` shows the running tasks per node")
		return nil
	}
	return waitDrained(cmd.Context(), out, e, change, f.wait)
}

// writeNodeChange prints "node drain  vm  active → drain (15 running
// tasks)" and the change's warning.
func writeNodeChange(out io.Writer, c swarm.NodeChange) {
	what := c.Before + " → " + c.After
	if c.Unchanged() {
		what = c.After + " (unchanged)"
	}
	fmt.Fprintf(out, "%s  %s  %s (%d running tasks)\n", c.Action, termsafe.Clean(c.Node), what, c.Tasks)
	if c.Warning != "" {
		fmt.Fprintln(out, "warning: "+c.Warning)
	}
}

// waitDrained follows the drain, a line per change of state. Ctrl-C stops
// the wait, not the drain.
func waitDrained(ctx context.Context, out io.Writer, e *swarm.Engine, change swarm.NodeChange, bound time.Duration) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	last := ""
	p, err := e.WaitNodeDrained(ctx, change, func(p swarm.DrainProgress) {
		if line := termsafe.Clean(p.Text()); line != last {
			fmt.Fprintln(out, "… "+line)
			last = line
		}
	})
	if err != nil {
		return err
	}
	if !p.OK() {
		return &drainNotDoneError{node: change.Node, text: p.Text()}
	}
	fmt.Fprintf(out, "drained %s: %s\n", termsafe.Clean(change.Node), p.Text())
	return nil
}

// drainNotDoneError ends a drain whose tasks do not all run elsewhere
// (yet): exit 1.
type drainNotDoneError struct{ node, text string }

func (e *drainNotDoneError) Error() string {
	return fmt.Sprintf("drain of %s not done: %s", termsafe.Clean(e.node), termsafe.Clean(e.text))
}

func (e *drainNotDoneError) ExitCode() int { return exitFailed }
