package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/swarmtop/swarmtop/stackfile"
	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/inspect"
	"github.com/swarmtop/swarmtop/tui/logs"
)

// hookTUI makes `swarmtop` with no subcommand open the terminal UI: the
// stacks list, or the stack named by -s / -c.
func hookTUI(root *cobra.Command, g *globalFlags) {
	root.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return badInput(cobra.NoArgs(cmd, args))
		}
		return runTUI(cmd, g)
	}
}

func runTUI(cmd *cobra.Command, g *globalFlags) error {
	opts := tui.Options{Stack: g.stack, ReadOnly: g.readOnly, NoColor: os.Getenv("NO_COLOR") != ""}
	if len(g.files) > 0 {
		st, err := loadStack(cmd, g)
		if err != nil {
			return err
		}
		opts.Stack, opts.File = st.Name, st
		opts.LoadFile = tui.LoadFiles(stackfile.Options{Files: g.files, StackName: g.stack})
	}
	// Audit failures wait until the terminal is back, then print once.
	var warnings deferredWarnings
	e, err := connectWarn(cmd, g, warnings.add)
	if err != nil {
		return err
	}
	defer e.Close()
	opts.Logs = func(c *common.Common, stack string, services []string) common.Component {
		return logs.New(c, logs.Engine(e), stack, services)
	}
	opts.Inspect = func(c *common.Common, svc swarm.Service) common.Component { return inspect.New(c, svc) }
	defer warnings.print(cmd.ErrOrStderr())
	opts.AuditLog = g.auditPath()
	return tui.Run(cmd.Context(), e, opts)
}
