package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/swarmtop/swarmtop/swarm"
)

func newVersionCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit, Go version and the engine's API version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "swarmtop %s (commit %s, %s)\n", version, commit, runtime.Version())
			opts := connectOptions(g)
			opts.AllowNoSwarm = true
			e, err := swarm.Connect(context.Background(), opts)
			if err != nil {
				fmt.Fprintf(out, "engine: not reachable (%v)\n", err)
				return nil
			}
			defer e.Close()
			fmt.Fprintf(out, "engine: %s at %s, API %s (negotiated)\n", e.ServerVersion, engineAddress(e), e.APIVersion)
			return nil
		},
	}
}
