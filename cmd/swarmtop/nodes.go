package main

import (
	"github.com/spf13/cobra"

	"github.com/swarmtop/swarmtop/swarm"
)

func newNodesCommand(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "nodes [--json]",
		Short: "Print the swarm's nodes: role, availability, status, engine version and running tasks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := connect(cmd, g)
			if err != nil {
				return err
			}
			defer e.Close()
			nodes, err := e.Nodes(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return writeModelJSON(cmd.OutOrStdout(), nodes)
			}
			return swarm.WriteNodes(cmd.OutOrStdout(), nodes)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	return cmd
}
