package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/swarmtop/swarmtop/internal/termsafe"
	"github.com/swarmtop/swarmtop/swarm"
)

func newDiffCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "diff -c FILE… [--stack NAME]",
		Short: "Show how the deployed stack differs from the stack files, per service and field",
		Long: "diff compares the stack files, converted as deploy would send them, with the live service\n" +
			"specs: image, replicas, env, ports, resources, update config and the rest, leaving out engine\n" +
			"defaults, pinned digests and ordering. Values are shown whole, env included.\n\n" +
			"Exit status, as with diff(1): 0 when the stack is as the files say, 1 when it differs,\n" +
			"2 for bad input, 3 and up when the engine cannot be used.",
		Example: "  swarmtop diff -c stack.yml\n" +
			"  swarmtop diff -c stack.yml -c demo.yml -s shop",
		Args: inputArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := loadStack(cmd, g)
			if err != nil {
				return err
			}
			e, err := connect(cmd, g)
			if err != nil {
				return err
			}
			defer e.Close()
			d, err := e.Diff(cmd.Context(), st)
			if err != nil {
				return err
			}
			writeDiff(cmd.OutOrStdout(), d)
			if !d.Same() {
				return stackDiffersError{}
			}
			return nil
		},
	}
}

// stackDiffersError ends `diff` with status 1 when there are differences.
type stackDiffersError struct{}

func (stackDiffersError) Error() string { return "the deployed stack differs from the stack files" }
func (stackDiffersError) ExitCode() int { return exitFailed }

// longValues is when a change no longer fits on one line as "live → file".
const longValues = 60

// writeDiff prints each service that differs with its changed fields
// (live → file), then the names of those that are the same.
func writeDiff(out io.Writer, d swarm.StackDiff) {
	var same []string
	differ := 0
	for _, s := range d.Services {
		if s.Status != swarm.DiffSame {
			differ++
		}
	}
	if differ == 0 {
		fmt.Fprintf(out, "stack %s is as the files say (%d services)\n", d.Stack, len(d.Services))
		return
	}
	fmt.Fprintf(out, "stack %s: %d of %d services differ from the files (live → file)\n", d.Stack, differ, len(d.Services))
	for _, s := range d.Services {
		name := termsafe.Clean(s.Service)
		switch s.Status {
		case swarm.DiffSame:
			same = append(same, name)
		case swarm.DiffMissing:
			fmt.Fprintf(out, "%s: missing (in the files, not deployed)\n", name)
		case swarm.DiffExtra:
			fmt.Fprintf(out, "%s: extra (deployed, not in the files)\n", name)
		default:
			fmt.Fprintf(out, "%s: changed\n", name)
			writeFieldChanges(out, s.Changes)
		}
	}
	if len(same) > 0 {
		fmt.Fprintf(out, "same: %s\n", strings.Join(same, ", "))
	}
}

func writeFieldChanges(out io.Writer, changes []swarm.FieldChange) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	for _, c := range changes {
		live, file := shownValue(c.Live), shownValue(c.File)
		if len(live)+len(file) <= longValues {
			fmt.Fprintf(tw, "  %s\t%s → %s\n", termsafe.Clean(c.Field), live, file)
			continue
		}
		tw.Flush()
		fmt.Fprintf(out, "  %s\n    live: %s\n    file: %s\n", termsafe.Clean(c.Field), live, file)
	}
	tw.Flush()
}

// shownValue makes an empty value visible.
func shownValue(v string) string {
	if v == "" {
		return "(none)"
	}
	return termsafe.Clean(v)
}
