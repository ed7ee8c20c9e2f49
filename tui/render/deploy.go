package render

import (
	"github.com/swarmtop/swarmtop/internal/report"
	"github.com/swarmtop/swarmtop/swarm"
)

// DeployPlanLines is what a deploy will do (report.PlanLines, the command
// line's wording): the objects it creates, updates or removes, how many
// stay unchanged, and its notes (replica counts kept, services left
// running).
func DeployPlanLines(r *swarm.DeployResult) []string {
	plan := report.PlanLines(r)
	out := make([]string, len(plan))
	for i, l := range plan {
		out[i] = l.Text
	}
	return out
}

// DeployReportLines is what a deploy did, object by object, then its notes
// and the engine's warnings, for the report shown when it stopped part way.
func DeployReportLines(r *swarm.DeployResult) []Line {
	return append(lines(report.DeployLines(r)), lines(report.WarningLines(r.Warnings))...)
}
