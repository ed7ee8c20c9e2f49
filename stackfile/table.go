package stackfile

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// WriteServicesTable prints the stack's services as an aligned table
// (NAME, MODE, REPLICAS, IMAGE, PORTS, UPDATE ORDER), then the warnings,
// one per line.
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
