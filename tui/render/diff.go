package render

import (
	"path/filepath"
	"strings"

	"github.com/swarmtop/swarmtop/internal/report"
	"github.com/swarmtop/swarmtop/swarm"
)

// Line is one line of a text view, with its tone.
type Line struct {
	Text string
	Tone Tone
}

// DiffLines is a stack diff as text (report.DiffLines, the command line's
// wording): a summary, then each service that differs with its fields
// (live → file), then the services that are the same.
func DiffLines(d swarm.StackDiff) []Line {
	return lines(report.DiffLines(d))
}

// lines gives report lines their tone.
func lines(in []report.Line) []Line {
	out := make([]Line, len(in))
	for i, l := range in {
		out[i] = Line{Text: l.Text, Tone: tone(l.Kind)}
	}
	return out
}

// tone is how a report line of kind k looks.
func tone(k report.Kind) Tone {
	switch k {
	case report.OK:
		return ToneOK
	case report.Muted:
		return ToneMuted
	case report.Warning:
		return ToneWarning
	case report.Danger:
		return ToneDanger
	}
	return ToneNormal
}

// FileNames names a stack's files as the screen shows them, without their
// directories: "stack.yml + prod.yml".
func FileNames(paths []string) string {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return strings.Join(names, " + ")
}
