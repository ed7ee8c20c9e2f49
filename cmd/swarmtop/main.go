// Command swarmtop is a terminal UI and command line for operating Docker
// Swarm stacks. This package holds flags and wiring only.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// Stamped by `make build` with -ldflags.
var (
	version = "dev"
	commit  = "unknown"
)

// Exit statuses shared by every command; engine connection failures carry
// their own (3 and up) through swarm.ConnectError.
const (
	exitFailed   = 1
	exitBadInput = 2
)

// globalFlags are the flags every command understands.
type globalFlags struct {
	files   []string
	stack   string
	host    string
	context string
	safety  // --read-only and --audit-log (safety.go)
}

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	root := newRootCommand()
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "swarmtop: "+err.Error())
	return exitCode(err)
}

func newRootCommand() *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:           "swarmtop",
		Short:         "Operate Docker Swarm stacks from the terminal",
		Long:          "swarmtop shows what runs where in a Docker Swarm stack and what is failing, and scales,\nrestarts, updates, rolls back and deploys it through the Swarm API.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return badInput(err)
	})
	pf := root.PersistentFlags()
	pf.StringArrayVarP(&g.files, "file", "c", nil, "stack file (repeat to merge overrides: -c stack.yml -c demo.yml)")
	pf.StringVarP(&g.stack, "stack", "s", "", "stack name (default: the file's name:, else its directory)")
	pf.StringVarP(&g.host, "host", "H", "", "engine address: unix://, tcp:// or ssh://user@host (default: DOCKER_HOST)")
	pf.StringVar(&g.context, "context", "", "docker context to use (default: DOCKER_CONTEXT, else docker's current context)")
	g.safety.register(root)
	hookTUI(root, g) // no subcommand: the terminal UI (tui.go)

	root.AddCommand(newVersionCommand(g), newValidateCommand(g), newStatusCommand(g), newNodesCommand(g),
		newScaleCommand(g), newRestartCommand(g), newImageCommand(g), newReleaseCommand(g), newRollbackCommand(g),
		newLogsCommand(g), newAuditCommand(g), newNodeCommand(g))
	root.AddCommand(newDeployCommand(g), newDiffCommand(g))
	return root
}

// inputError marks bad input from the user: exit status 2.
type inputError struct{ err error }

func (e inputError) Error() string { return e.err.Error() }
func (e inputError) Unwrap() error { return e.err }

func badInput(err error) error { return inputError{err} }

func exitCode(err error) int {
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		return coded.ExitCode()
	}
	var in inputError
	if errors.As(err, &in) {
		return exitBadInput
	}
	return exitFailed
}
