package report

import (
	"fmt"
	"strings"

	"github.com/swarmtop/swarmtop/swarm"
)

// longValues is when a change no longer fits on one line as "live → file".
const longValues = 60

// DiffLines is a stack diff: a summary, then each service that differs
// with its fields (live → file), then the services that are the same; a
// blank line before each changed service, and before a run of missing and
// extra ones.
func DiffLines(d swarm.StackDiff) []Line {
	differ := 0
	for _, s := range d.Services {
		if s.Status != swarm.DiffSame {
			differ++
		}
	}
	stack := Clean(d.Stack)
	if differ == 0 {
		return []Line{{fmt.Sprintf("stack %s is as the files say (%s)", stack, Plural(len(d.Services), "service")), OK}}
	}
	out := []Line{{fmt.Sprintf("stack %s: %d of %d services differ from the files (live → file)",
		stack, differ, len(d.Services)), Warning}}
	var same []string
	prevOneLine := false // missing and extra services, one line each, stay together
	for _, s := range d.Services {
		if s.Status == swarm.DiffSame {
			same = append(same, Clean(s.Service))
			continue
		}
		oneLine := s.Status == swarm.DiffMissing || s.Status == swarm.DiffExtra
		if !oneLine || !prevOneLine {
			out = append(out, Line{})
		}
		prevOneLine = oneLine
		out = append(out, serviceDiffLines(s)...)
	}
	if len(same) > 0 {
		out = append(out, Line{}, Line{"same: " + strings.Join(same, ", "), Muted})
	}
	return out
}

func serviceDiffLines(s swarm.ServiceDiff) []Line {
	name := Clean(s.Service)
	switch s.Status {
	case swarm.DiffMissing:
		return []Line{{name + ": missing (in the files, not deployed)", Warning}}
	case swarm.DiffExtra:
		return []Line{{name + ": extra (deployed, not in the files)", Warning}}
	}
	type change struct{ field, live, file string }
	changes := make([]change, len(s.Changes))
	width := 0 // of the fields whose change fits on their line
	for i, c := range s.Changes {
		changes[i] = change{Clean(c.Field), value(c.Live), value(c.File)}
		if fits(changes[i].live, changes[i].file) {
			width = max(width, len(changes[i].field))
		}
	}
	out := []Line{{name + ": changed", Normal}}
	for _, c := range changes {
		if fits(c.live, c.file) {
			out = append(out, Line{Text: fmt.Sprintf("  %-*s  %s → %s", width, c.field, c.live, c.file)})
			continue
		}
		out = append(out, Line{Text: "  " + c.field}, Line{Text: "    live: " + c.live}, Line{Text: "    file: " + c.file})
	}
	return out
}

// fits: a change shows on one line as "live → file".
func fits(live, file string) bool { return len(live)+len(file) <= longValues }
