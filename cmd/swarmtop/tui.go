package main

import (
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/inspect"
	"github.com/swarmtop/swarmtop/tui/logs"
)

// hookTUI makes `swarmtop` with no subcommand open the terminal UI: the
// stacks list, or the stack named by -s / -c.
func hookTUI(root *cobra.Command, g *globalFlags) {
	readOnly := envBool("SWARMTOP_READ_ONLY")
	root.Flags().BoolVar(&readOnly, "read-only", readOnly, "show only: hide and refuse every action (also SWARMTOP_READ_ONLY=1)")
	root.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return badInput(cobra.NoArgs(cmd, args))
		}
		return runTUI(cmd, g, readOnly)
	}
}

func runTUI(cmd *cobra.Command, g *globalFlags, readOnly bool) error {
	stack := ""
	if g.stack != "" || len(g.files) > 0 {
		name, err := stackName(cmd, g)
		if err != nil {
			return err
		}
		stack = name
	}
	e, err := connect(cmd, g)
	if err != nil {
		return err
	}
	defer e.Close()
	return tui.Run(cmd.Context(), e, tui.Options{
		Stack:    stack,
		ReadOnly: readOnly,
		NoColor:  os.Getenv("NO_COLOR") != "",
		Logs: func(c *common.Common, stack string, services []string) common.Component {
			return logs.New(c, logs.Engine(e), stack, services)
		},
		Inspect: func(c *common.Common, svc swarm.Service) common.Component { return inspect.New(c, svc) },
	})
}

// envBool reads a boolean environment variable; unset or unparsable is false.
func envBool(name string) bool {
	v, err := strconv.ParseBool(os.Getenv(name))
	return err == nil && v
}
