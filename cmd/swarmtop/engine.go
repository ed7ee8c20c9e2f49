package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/swarmtop/swarmtop/swarm"
)

// connect opens the engine named by --host, --context or the docker CLI's
// environment and configuration; it must be a swarm manager. Audit log
// failures are printed to stderr as they happen.
func connect(cmd *cobra.Command, g *globalFlags) (*swarm.Engine, error) {
	return connectWarn(cmd, g, warnTo(cmd.ErrOrStderr()))
}

// connectWarn is connect with audit log failures handed to warn.
func connectWarn(cmd *cobra.Command, g *globalFlags, warn func(error)) (*swarm.Engine, error) {
	return connectWith(cmd, g, connectOptions(g), warn)
}

func connectWith(cmd *cobra.Command, g *globalFlags, opts swarm.ConnectOptions, warn func(error)) (*swarm.Engine, error) {
	e, err := swarm.Connect(cmd.Context(), opts)
	if err == nil {
		g.safety.attachAudit(e, warn)
	}
	return e, err
}

func connectOptions(g *globalFlags) swarm.ConnectOptions {
	return swarm.ConnectOptions{Host: g.host, Context: g.context, ReadOnly: g.readOnly}
}

// engineAddress says where an engine is, with the context it came from, so
// an operator with several contexts sees which swarm answered.
func engineAddress(e *swarm.Engine) string {
	if e.Context == "" {
		return e.Host
	}
	return fmt.Sprintf("%s (context %q)", e.Host, e.Context)
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

// connectStack resolves the stack name, then connects; the caller closes
// the engine. The name comes first so that a missing or broken stack file
// is reported as bad input without trying the engine.
func connectStack(cmd *cobra.Command, g *globalFlags) (string, *swarm.Engine, error) {
	stack, err := stackName(cmd, g)
	if err != nil {
		return "", nil, err
	}
	e, err := connect(cmd, g)
	if err != nil {
		return "", nil, err
	}
	return stack, e, nil
}

// connectToRead is connectStack for a command that only reads the stack
// with ReadStack: the check that the engine is a swarm manager runs beside
// the reads, and ReadStack fails with its error (swarm.ConnectOptions
// DeferRoleCheck), one round trip less before the first read.
func connectToRead(cmd *cobra.Command, g *globalFlags) (string, *swarm.Engine, error) {
	stack, err := stackName(cmd, g)
	if err != nil {
		return "", nil, err
	}
	opts := connectOptions(g)
	opts.DeferRoleCheck = true
	e, err := connectWith(cmd, g, opts, warnTo(cmd.ErrOrStderr()))
	if err != nil {
		return "", nil, err
	}
	return stack, e, nil
}
