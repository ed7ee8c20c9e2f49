package main

import (
	"github.com/spf13/cobra"

	"github.com/swarmtop/swarmtop/internal/report"
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
			report.Write(cmd.OutOrStdout(), report.DiffLines(d)...)
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
