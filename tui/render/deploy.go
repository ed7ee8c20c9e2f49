package render

import (
	"fmt"

	"github.com/swarmtop/swarmtop/swarm"
)

// planWords are the actions as a plan states them.
var planWords = map[swarm.ObjectAction]string{
	swarm.ObjectCreated: "create",
	swarm.ObjectUpdated: "update",
	swarm.ObjectRemoved: "remove",
}

// DeployPlanLines is what a deploy will do: the objects it creates,
// updates or removes, how many stay unchanged, and its notes (replica
// counts kept, services left running).
func DeployPlanLines(r *swarm.DeployResult) []string {
	var out []string
	unchanged := 0
	for _, o := range r.Objects {
		word, ok := planWords[o.Action]
		if !ok {
			unchanged++
			continue
		}
		out = append(out, objectLine(word, 7, o))
	}
	if len(out) == 0 {
		out = append(out, "nothing to create, update or remove")
	}
	if unchanged > 0 {
		out = append(out, fmt.Sprintf("%d unchanged", unchanged))
	}
	for _, n := range r.Notes {
		out = append(out, "note: "+Clean(n))
	}
	return out
}

// DeployReportLines is what a deploy did, object by object, for the
// report shown when it stopped part way.
func DeployReportLines(r *swarm.DeployResult) []Line {
	out := make([]Line, 0, len(r.Objects)+len(r.Notes)+len(r.Warnings))
	for _, o := range r.Objects {
		tone := ToneNormal
		switch o.Action {
		case swarm.ObjectFailed:
			tone = ToneDanger
		case swarm.ObjectSkipped:
			tone = ToneWarning
		case swarm.ObjectUnchanged:
			tone = ToneMuted
		}
		out = append(out, Line{Text: objectLine(string(o.Action), 9, o), Tone: tone})
	}
	for _, n := range r.Notes {
		out = append(out, Line{Text: "note: " + Clean(n), Tone: ToneMuted})
	}
	for _, w := range r.Warnings {
		out = append(out, Line{Text: "warning: " + Clean(w), Tone: ToneWarning})
	}
	return out
}

func objectLine(action string, width int, o swarm.DeployObject) string {
	line := fmt.Sprintf("  %-*s %-8s %s", width, action, o.Kind, Clean(o.Name))
	if o.Detail != "" {
		line += ": " + Clean(o.Detail)
	}
	return line
}
