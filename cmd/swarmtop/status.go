package main

import (
	"encoding/json"
	"io"

	"github.com/spf13/cobra"

	"github.com/swarmtop/swarmtop/swarm"
)

func newStatusCommand(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [--stack NAME | -c FILE…] [--json]",
		Short: "Print a stack's services, replicas, health and failing tasks (no stack: list the stacks)",
		Example: "  swarmtop status --stack shop\n" +
			"  swarmtop status -c stack.yml --json\n" +
			"  swarmtop status",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.stack == "" && len(g.files) == 0 {
				return listStacks(cmd, g, asJSON)
			}
			return showStack(cmd, g, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the model as JSON instead of a table")
	return cmd
}

func listStacks(cmd *cobra.Command, g *globalFlags, asJSON bool) error {
	e, err := connect(cmd, g)
	if err != nil {
		return err
	}
	defer e.Close()
	stacks, err := e.Stacks(cmd.Context())
	if err != nil {
		return err
	}
	if asJSON {
		return writeModelJSON(cmd.OutOrStdout(), stacks)
	}
	return swarm.WriteStacks(cmd.OutOrStdout(), stacks)
}

// statusJSON is the snapshot plus the failing slots the table lists.
type statusJSON struct {
	swarm.Snapshot
	Failures []swarm.Failure `json:"failures"`
}

func showStack(cmd *cobra.Command, g *globalFlags, asJSON bool) error {
	stack, e, err := connectToRead(cmd, g)
	if err != nil {
		return err
	}
	defer e.Close()
	snap, err := e.ReadStack(cmd.Context(), stack)
	if err != nil {
		return err
	}
	if len(snap.Services) == 0 {
		// A typo in the stack name should not look like an empty stack.
		return &swarm.ServiceNotFoundError{Stack: stack}
	}
	if asJSON {
		return writeModelJSON(cmd.OutOrStdout(), statusJSON{Snapshot: snap, Failures: snap.Failures()})
	}
	return swarm.WriteStatus(cmd.OutOrStdout(), snap)
}

func writeModelJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
