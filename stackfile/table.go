package stackfile

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteServicesTable prints the stack's services as an aligned table
// (NAME, MODE, REPLICAS, IMAGE, PORTS, UPDATE ORDER), after a blank line a
// line for each kind of top-level object the files declare (what a deploy creates besides the
// services, and what must exist already), then the warnings, one per line.
func WriteServicesTable(w io.Writer, s *Stack) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tMODE\tREPLICAS\tIMAGE\tPORTS\tUPDATE ORDER")
	for _, svc := range s.Services {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n",
			svc.Name, svc.Mode, replicasCell(svc), svc.Image, portsCell(svc.Ports), updateOrderCell(svc))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if lines := declaredLines(s); len(lines) > 0 {
		if _, err := fmt.Fprintln(w, "\n"+strings.Join(lines, "\n")); err != nil {
			return err
		}
	}
	for _, line := range s.Warnings {
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return nil
}

// replicasCell shows "-" for global modes, else the replica (or job
// completion) count, marking the implicit 1 that a redeploy resets to.
func replicasCell(s Service) string {
	switch {
	case s.Mode == ModeGlobal || s.Mode == ModeGlobalJob:
		return "-"
	case s.Replicas == nil:
		return "1 (default)"
	}
	return strconv.FormatUint(*s.Replicas, 10)
}

// portsCell shows ports as published:target/protocol, comma separated.
func portsCell(ports []Port) string {
	if len(ports) == 0 {
		return "-"
	}
	cells := make([]string, len(ports))
	for i, p := range ports {
		c := fmt.Sprintf("%d/%s", p.Target, p.Protocol)
		if p.Published != 0 {
			c = fmt.Sprintf("%d:%s", p.Published, c)
		}
		if p.Mode == "host" {
			c += " (host)"
		}
		cells[i] = c
	}
	return strings.Join(cells, ",")
}

// updateOrderCell shows the rolling-update order; jobs are not updated.
func updateOrderCell(s Service) string {
	switch {
	case s.IsJob():
		return "-"
	case s.UpdateConfig == nil || s.UpdateConfig.Order == "":
		return "stop-first (default)"
	}
	return s.UpdateConfig.Order
}

// declaredLines name the top-level networks, secrets, configs and volumes,
// one line a kind ("networks: backend, frontend"), marking the external
// ones, which a deploy does not create: they must exist on the swarm.
func declaredLines(s *Stack) []string {
	var lines []string
	add := func(kind string, names []string) {
		if len(names) > 0 {
			lines = append(lines, kind+": "+strings.Join(names, ", "))
		}
	}
	add("networks", declaredNames(s.Networks, func(n Network) (string, bool) { return n.Name, n.External }))
	add("secrets", declaredNames(s.Secrets, func(x Secret) (string, bool) { return x.Name, x.External }))
	add("configs", declaredNames(s.Configs, func(c Config) (string, bool) { return c.Name, c.External }))
	add("volumes", declaredNames(s.Volumes, func(v Volume) (string, bool) { return v.Name, v.External }))
	return lines
}

func declaredNames[T any](objects []T, name func(T) (string, bool)) []string {
	names := make([]string, len(objects))
	for i, o := range objects {
		n, external := name(o)
		if external {
			n += " (external)"
		}
		names[i] = n
	}
	return names
}
