package render

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/swarmtop/swarmtop/internal/report"
	"github.com/swarmtop/swarmtop/swarm"
)

// ServiceDriftHeader is ServiceHeader for a stack opened with its file:
// room for the file's count beside the live one, and a DRIFT column.
func ServiceDriftHeader() []Column {
	cols := ServiceHeader()
	cols[0].Min = 16                  // names matter most: at 80 columns PORTS goes instead
	cols[2].Min, cols[2].Max = 12, 14 // "2/2 (file 3)"
	return append(cols, Column{Title: "DRIFT", Min: 9, Max: driftWidth})
}

// ServiceDriftRow is ServiceRow with the file's count where it differs
// ("3/3 (file 2)") and the drift marker; d is nil when the service is as
// the file says.
func ServiceDriftRow(s swarm.Service, d *swarm.Drift) Row {
	r := ServiceRow(s)
	if d != nil && d.Replicas != nil {
		r.Cells[2] += " (file " + Clean(d.Replicas.File) + ")"
	}
	r.Cells = append(r.Cells, DriftText(d))
	if d != nil && r.Tone == ToneNormal {
		r.Tone = ToneWarning
	}
	return r
}

// MissingRow is a service the file declares that is not deployed.
func MissingRow(name string) Row {
	return Row{Cells: []string{Clean(name), "-", "0/0", "-", "-", "-", "-", DriftText(&swarm.Drift{Missing: true})},
		Tone: ToneWarning}
}

// DriftText is the marker: "-" when the service is as the file says, else
// "≠" and what differs: repl, image, the other fields by name ("≠ ports",
// "≠ env,ports") or, when their names would not fit the column, by count
// ("≠ repl,+3"), missing or extra.
func DriftText(d *swarm.Drift) string {
	switch {
	case d == nil:
		return "-"
	case d.Missing:
		return "≠ missing"
	case d.Extra:
		return "≠ extra"
	}
	var parts []string
	if d.Replicas != nil {
		parts = append(parts, "repl")
	}
	if d.Image != nil {
		parts = append(parts, "image")
	}
	named := "≠ " + strings.Join(append(slices.Clone(parts), fieldGroups(d.Others)...), ",")
	if len(d.Others) == 0 || ansi.StringWidth(named) <= driftWidth {
		return Clean(named)
	}
	return "≠ " + strings.Join(append(parts, fmt.Sprintf("+%d", len(d.Others))), ",")
}

// driftWidth is the widest the DRIFT column gets.
const driftWidth = 14

// fieldGroups names the fields as the diff groups them, once each:
// env.DB_HOST and env.DEBUG are both env.
func fieldGroups(fields []string) []string {
	var groups []string
	for _, f := range fields {
		group, _, _ := strings.Cut(f, ".")
		if !slices.Contains(groups, group) {
			groups = append(groups, group)
		}
	}
	return groups
}

// DriftDetail says in full how a service differs from the file, for the
// detail line.
func DriftDetail(d swarm.Drift) string {
	switch {
	case d.Missing:
		return "drift: in the file, not deployed (deploy creates it)"
	case d.Extra:
		return "drift: deployed, not in the file"
	}
	var parts []string
	if c := d.Replicas; c != nil {
		parts = append(parts, fmt.Sprintf("replicas %s → file %s", Clean(c.Live), Clean(c.File)))
	}
	if c := d.Image; c != nil {
		parts = append(parts, fmt.Sprintf("image %s → file %s", Clean(c.Live), Clean(c.File)))
	}
	if len(d.Others) > 0 {
		parts = append(parts, Clean(strings.Join(d.Others, ", ")))
	}
	return "drift: " + strings.Join(parts, " · ") + "  (D: diff)"
}

// Plural is "1 node", "3 nodes": a count and its word.
func Plural(n int, word string) string { return report.Plural(n, word) }
