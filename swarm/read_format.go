package swarm

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/swarmtop/swarmtop/internal/termsafe"
)

// Plain-text tables for the CLI (`swarmtop status`, `swarmtop nodes`). They
// go to terminals, so every engine-provided string passes through
// tableSafe: an error message can quote container output.

func statusTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

// buffered runs write through one buffer: a tabwriter writes cell by cell,
// and to a terminal or a pipe each cell would be a system call of its own.
func buffered(w io.Writer, write func(io.Writer) error) error {
	bw := bufio.NewWriter(w)
	if err := write(bw); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteStatus prints the services table, then the failing slots with their
// full errors, then the messages of updates that did not complete.
func WriteStatus(w io.Writer, s Snapshot) error {
	return buffered(w, func(w io.Writer) error { return writeStatus(w, s) })
}

func writeStatus(w io.Writer, s Snapshot) error {
	tw := statusTable(w)
	fmt.Fprintln(tw, "NAME\tMODE\tREPLICAS\tIMAGE\tUPDATE\tHEALTH\tPORTS")
	for i := range s.Services {
		sv := &s.Services[i]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", tableSafe(sv.Name), sv.Mode, replicasText(sv),
			tableSafe(sv.Image), orDash(sv.UpdateState), healthText(sv.Health), orDash(strings.Join(sv.Ports, ",")))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if err := writeFailures(w, s); err != nil {
		return err
	}
	return writeUpdateMessages(w, s.Services)
}

func replicasText(s *Service) string {
	text := strconv.FormatUint(s.Running, 10) + "/" + strconv.FormatUint(s.Desired, 10)
	if isJob(s.Mode) {
		text += " (" + strconv.FormatUint(s.Completed, 10) + " completed)"
	}
	return text
}

func healthText(h Health) string {
	if h == HealthNone {
		return "-"
	}
	return h.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// writeFailures lists each failing slot once: its newest failure, untruncated.
func writeFailures(w io.Writer, s Snapshot) error {
	failures := s.Failures()
	if len(failures) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := statusTable(w)
	fmt.Fprintln(tw, "FAILING TASK\tNODE\tSTATE\tAGO\tEXIT\tFAILURES\tERROR")
	for _, f := range failures {
		t := f.Task
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", tableSafe(slotName(t)), tableSafe(orDash(t.Node)), t.State,
			ageText(s.Taken.Sub(t.Since)), exitText(t), f.Count, tableSafe(orDash(t.Err)))
	}
	return tw.Flush()
}

func writeUpdateMessages(w io.Writer, services []Service) error {
	tw := statusTable(w)
	header := false
	for i := range services {
		sv := &services[i]
		if sv.UpdateMessage == "" || sv.UpdateState == "completed" {
			continue
		}
		if !header {
			fmt.Fprintln(tw, "\nUPDATE\tSTATE\tMESSAGE")
			header = true
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", tableSafe(sv.Name), sv.UpdateState, tableSafe(sv.UpdateMessage))
	}
	return tw.Flush()
}

// exitText is the exit code of a container that ran, "-" for a task that
// never got one (rejected, or failed before its container started).
func exitText(t Task) string {
	if t.ContainerID == "" || t.State == "rejected" {
		return "-"
	}
	return strconv.Itoa(t.ExitCode)
}

// slotName is how operators name a task: web.2 for a replica, web@node-1
// for a global service's task.
func slotName(t Task) string {
	if t.Slot == 0 {
		return t.Service + "@" + t.Node
	}
	return t.Service + "." + strconv.Itoa(t.Slot)
}

// ageText renders an age the way `docker service ps` readers think of it:
// 12s, 5m, 3h, 2d.
func ageText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(max(d, 0)/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	default:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
}

// WriteStacks prints the stacks list.
func WriteStacks(w io.Writer, stacks []StackSummary) error {
	return buffered(w, func(w io.Writer) error { return writeStacks(w, stacks) })
}

func writeStacks(w io.Writer, stacks []StackSummary) error {
	tw := statusTable(w)
	fmt.Fprintln(tw, "STACK\tSERVICES\tTASKS")
	for _, s := range stacks {
		fmt.Fprintf(tw, "%s\t%d\t%d/%d\n", tableSafe(s.Name), s.Services, s.RunningTasks, s.DesiredTasks)
	}
	return tw.Flush()
}

// WriteNodes prints the nodes table; the leader's role says so.
func WriteNodes(w io.Writer, nodes []Node) error {
	return buffered(w, func(w io.Writer) error { return writeNodes(w, nodes) })
}

func writeNodes(w io.Writer, nodes []Node) error {
	tw := statusTable(w)
	fmt.Fprintln(tw, "HOSTNAME\tROLE\tAVAILABILITY\tSTATUS\tENGINE\tTASKS")
	for _, n := range nodes {
		role := n.Role
		if n.Leader {
			role += " (leader)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", tableSafe(n.Hostname), role, n.Availability, n.Status,
			tableSafe(n.EngineVersion), n.Tasks)
	}
	return tw.Flush()
}

// tableSafe passes engine text through the one sanitiser: an error message
// can quote container output. Tabs would break the table's columns, and
// termsafe turns them into spaces.
func tableSafe(s string) string { return termsafe.Clean(s) }
