package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/swarmtop/swarmtop/stackfile"
)

func newValidateCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "validate -c FILE… [--stack NAME]",
		Short: "Check stack files and print the services and other objects they declare",
		Example: "  swarmtop validate -c examples/django/stack.yml\n" +
			"  swarmtop validate -c stack.yml -c demo.yml --stack shop",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := loadStack(cmd, g)
			if err != nil {
				return err
			}
			return stackfile.WriteServicesTable(cmd.OutOrStdout(), st)
		},
	}
}

// loadStack loads the -c files; any problem with them is bad input.
func loadStack(cmd *cobra.Command, g *globalFlags) (*stackfile.Stack, error) {
	if len(g.files) == 0 {
		return nil, badInput(errors.New("no stack file: give one with -c FILE"))
	}
	st, err := stackfile.Load(cmd.Context(), stackfile.Options{Files: g.files, StackName: g.stack})
	if err != nil {
		return nil, badInput(err)
	}
	return st, nil
}
