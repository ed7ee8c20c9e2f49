package render

import (
	"strconv"

	"github.com/swarmtop/swarmtop/swarm"
)

// NodeHeader is the nodes table's columns.
func NodeHeader() []Column {
	return []Column{
		{Title: "HOSTNAME", Min: 8, Max: 30},
		{Title: "ROLE", Min: 7, Max: 18},
		{Title: "AVAILABILITY", Min: 6, Max: 12},
		{Title: "STATUS", Min: 6, Max: 10},
		{Title: "ENGINE", Min: 6, Max: 12, Drop: true},
		{Title: "TASKS", Min: 5, Max: 6},
	}
}

// NodeRow renders one node; the leader is marked next to its role.
func NodeRow(n swarm.Node) Row {
	role := Clean(n.Role)
	if n.Leader {
		role += " (leader)"
	}
	tone := ToneNormal
	switch {
	case n.Status != "ready":
		tone = ToneDanger
	case n.Availability != "active":
		tone = ToneWarning
	}
	return Row{
		Cells: []string{Clean(n.Hostname), role, Clean(n.Availability), Clean(n.Status),
			orDash(Clean(n.EngineVersion)), strconv.Itoa(n.Tasks)},
		Tone: tone,
	}
}

// StackHeader is the stacks list's columns.
func StackHeader() []Column {
	return []Column{
		{Title: "STACK", Min: 8, Max: 40},
		{Title: "SERVICES", Min: 8, Max: 8},
		{Title: "TASKS", Min: 7, Max: 12},
	}
}

// StackRow renders one stack: running/desired tasks across its services.
func StackRow(s swarm.StackSummary) Row {
	tone := ToneNormal
	if s.RunningTasks < s.DesiredTasks {
		tone = ToneWarning
	}
	return Row{
		Cells: []string{Clean(s.Name), strconv.Itoa(s.Services),
			strconv.FormatUint(s.RunningTasks, 10) + "/" + strconv.FormatUint(s.DesiredTasks, 10)},
		Tone: tone,
	}
}
