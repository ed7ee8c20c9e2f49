package report

import (
	"fmt"
	"strings"

	"github.com/swarmtop/swarmtop/swarm"
)

// planWords are the actions as a plan states them.
var planWords = map[swarm.ObjectAction]string{
	swarm.ObjectCreated: "create",
	swarm.ObjectUpdated: "update",
	swarm.ObjectRemoved: "remove",
}

// PlanHeading introduces a deploy plan on the command line.
func PlanHeading(r *swarm.DeployResult) Line {
	if r.DryRun {
		return Line{Text: "plan (dry run, nothing changed) for stack " + Clean(r.Stack) + ":"}
	}
	return Line{Text: "plan for stack " + Clean(r.Stack) + ":"}
}

// PlanLines is what a deploy will do: the objects it creates, updates or
// removes, the services it keeps for a reason worth knowing (a job still
// running that the deploy waits for, a service not in the files), how many
// stay plainly unchanged, and its notes (replica counts kept).
func PlanLines(r *swarm.DeployResult) []Line {
	var changes, kept []Line
	unchanged := 0
	for _, o := range r.Objects {
		word, ok := planWords[o.Action]
		switch {
		case ok:
			changes = append(changes, Line{Text: objectLine(word, 7, o)})
		case o.Kind == swarm.KindService && o.Detail != "":
			kept = append(kept, Line{objectLine("keep", 7, o), Muted})
		default:
			unchanged++
		}
	}
	if len(changes) == 0 {
		changes = append(changes, Line{"nothing to create, update or remove", Muted})
	}
	out := append(changes, kept...)
	if unchanged > 0 {
		out = append(out, Line{fmt.Sprintf("%d unchanged", unchanged), Muted})
	}
	return append(out, noteLines(r.Notes)...)
}

// StoppedHeading introduces the report of a deploy that stopped part way,
// on the command line.
func StoppedHeading(r *swarm.DeployResult) Line {
	return Line{"deploy stopped; what was done for stack " + Clean(r.Stack) + ":", Danger}
}

// DeployLines is what a deploy did, object by object, then its notes: the
// report of a deploy that stopped part way. The engine's warnings are
// WarningLines.
func DeployLines(r *swarm.DeployResult) []Line {
	out := make([]Line, 0, len(r.Objects)+len(r.Notes))
	for _, o := range r.Objects {
		kind := Normal
		switch o.Action {
		case swarm.ObjectFailed:
			kind = Danger
		case swarm.ObjectSkipped:
			kind = Warning
		case swarm.ObjectUnchanged:
			kind = Muted
		}
		out = append(out, Line{objectLine(string(o.Action), 9, o), kind})
	}
	return append(out, noteLines(r.Notes)...)
}

// WarningLines are what the engine warned of as services were written.
func WarningLines(warnings []string) []Line {
	out := make([]Line, 0, len(warnings))
	for _, w := range warnings {
		out = append(out, Line{"warning: " + Clean(w), Warning})
	}
	return out
}

// DeploySummary counts what a deploy did: "deployed shop: 2 created, 1
// updated, 9 unchanged".
func DeploySummary(r *swarm.DeployResult) Line {
	counts := map[swarm.ObjectAction]int{}
	for _, o := range r.Objects {
		counts[o.Action]++
	}
	var parts []string
	for _, a := range []swarm.ObjectAction{swarm.ObjectCreated, swarm.ObjectUpdated, swarm.ObjectRemoved, swarm.ObjectUnchanged} {
		if counts[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[a], a))
		}
	}
	return Line{fmt.Sprintf("deployed %s: %s", Clean(r.Stack), strings.Join(parts, ", ")), OK}
}

// Detached says where to see how changes not waited for (--detach) go.
func Detached(stack string) Line {
	return Line{Text: fmt.Sprintf("not waiting (--detach): `swarmtop status -s %s` shows how it goes", Clean(stack))}
}

func noteLines(notes []string) []Line {
	out := make([]Line, 0, len(notes))
	for _, n := range notes {
		out = append(out, Line{"note: " + Clean(n), Muted})
	}
	return out
}

// objectLine is "  update  service  web: image", the action padded to
// width.
func objectLine(action string, width int, o swarm.DeployObject) string {
	line := fmt.Sprintf("  %-*s %-8s %s", width, action, Clean(o.Kind), Clean(o.Name))
	if o.Detail != "" {
		line += ": " + Clean(o.Detail)
	}
	return line
}
