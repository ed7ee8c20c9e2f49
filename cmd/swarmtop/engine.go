package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/swarmtop/swarmtop/swarm"
)

// connect opens the engine named by --host or DOCKER_HOST; it must be a
// swarm manager.
func connect(cmd *cobra.Command, g *globalFlags) (*swarm.Engine, error) {
	return swarm.Connect(cmd.Context(), swarm.ConnectOptions{Host: g.host})
}

// stackName is --stack, else the name the -c files give (their name:, else
// their directory).
func stackName(cmd *cobra.Command, g *globalFlags) (string, error) {
	if g.stack != "" {
		return g.stack, nil
	}
	if len(g.files) == 0 {
		return "", badInput(errors.New("which stack? give --stack NAME or -c FILE"))
	}
	st, err := loadStack(cmd, g)
	if err != nil {
		return "", err
	}
	return st.Name, nil
}
