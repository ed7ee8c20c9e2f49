package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/swarmtop/swarmtop/internal/audit"
	"github.com/swarmtop/swarmtop/internal/termsafe"
)

func newAuditCommand(g *globalFlags) *cobra.Command {
	var since time.Duration
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "audit [--stack NAME] [--since DURATION] [--json]",
		Short: "Print the audit log: every change swarmtop made, by whom, and how it ended",
		Long: "audit prints the changes recorded in the audit log (--audit-log, SWARMTOP_AUDIT_LOG, else\n" +
			"$XDG_STATE_HOME/swarmtop/audit.log), oldest first, one row per change with its verdict.",
		Example: "  swarmtop audit -s shop --since 24h\n" +
			"  swarmtop audit --json | jq 'select(.user == \"alice\")'",
		Args: inputArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := audit.Filter{}
			if g.stack != "" || len(g.files) > 0 {
				stack, err := stackName(cmd, g)
				if err != nil {
					return err
				}
				f.Stack = stack
			}
			if since > 0 {
				f.Since = time.Now().Add(-since)
			}
			entries, err := audit.Read(g.auditPath(), f)
			if err != nil {
				return err
			}
			if asJSON {
				return writeAuditJSON(cmd.OutOrStdout(), entries)
			}
			writeAuditTable(cmd.OutOrStdout(), entries)
			return nil
		},
	}
	cmd.Flags().DurationVar(&since, "since", 0, "only changes in this last period, e.g. 30m or 24h")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the log's JSON lines as they are stored")
	return cmd
}

// writeAuditJSON prints one entry a line, verdict lines included.
func writeAuditJSON(out io.Writer, entries []audit.Entry) error {
	enc := json.NewEncoder(out)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
}

// writeAuditTable prints one row per change, its verdict beside it; a
// verdict whose change is outside the filter gets a row of its own.
func writeAuditTable(out io.Writer, entries []audit.Entry) {
	if len(entries) == 0 {
		fmt.Fprintln(out, "no changes recorded")
		return
	}
	verdicts := audit.Verdicts(entries)
	changes := map[string]bool{}
	for _, e := range entries {
		changes[e.ID] = e.Ref == ""
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tUSER\tHOST\tSTACK\tOBJECT\tACTION\tCHANGE\tVERDICT")
	for _, e := range entries {
		if e.Ref != "" && changes[e.Ref] {
			continue // shown on its change's row
		}
		verdict := e.Verdict
		if v, ok := verdicts[e.ID]; ok {
			verdict += " → " + v.Verdict
		}
		fields := []string{e.Time.Local().Format("2006-01-02 15:04:05"), who(e), e.Host, e.Stack,
			e.Object, e.Action, changeOf(e), verdict}
		for i, f := range fields {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, termsafe.Clean(f))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// who names the person: the sudo user behind root when there is one.
func who(e audit.Entry) string {
	if e.SudoUser != "" && e.SudoUser != e.User {
		return e.SudoUser + " (as " + e.User + ")"
	}
	return e.User
}

func changeOf(e audit.Entry) string {
	switch {
	case e.Before == "" && e.After == "":
		return "-"
	case e.Before == "":
		return e.After
	}
	return e.Before + " → " + e.After
}
