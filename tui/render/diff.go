package render

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/swarmtop/swarmtop/swarm"
)

// Line is one line of a text view, with its tone.
type Line struct {
	Text string
	Tone Tone
}

// longValues is when a change no longer fits on one line as "live → file".
const longValues = 60

// DiffLines is a stack diff as text: a summary, then each service that
// differs with its fields (live → file), then the services that are the
// same.
func DiffLines(d swarm.StackDiff) []Line {
	differ := 0
	for _, s := range d.Services {
		if s.Status != swarm.DiffSame {
			differ++
		}
	}
	if differ == 0 {
		return []Line{{fmt.Sprintf("stack %s is as the file says (%d services)", Clean(d.Stack), len(d.Services)), ToneOK}}
	}
	out := []Line{{fmt.Sprintf("stack %s: %d of %d services differ from the file (live → file)",
		Clean(d.Stack), differ, len(d.Services)), ToneWarning}}
	var same []string
	for _, s := range d.Services {
		if s.Status == swarm.DiffSame {
			same = append(same, Clean(s.Service))
			continue
		}
		out = append(out, Line{})
		out = append(out, serviceDiffLines(s)...)
	}
	if len(same) > 0 {
		out = append(out, Line{}, Line{"same: " + strings.Join(same, ", "), ToneMuted})
	}
	return out
}

func serviceDiffLines(s swarm.ServiceDiff) []Line {
	name := Clean(s.Service)
	switch s.Status {
	case swarm.DiffMissing:
		return []Line{{name + ": missing (in the file, not deployed)", ToneWarning}}
	case swarm.DiffExtra:
		return []Line{{name + ": extra (deployed, not in the file)", ToneWarning}}
	}
	width := 0
	for _, c := range s.Changes {
		width = max(width, len(Clean(c.Field)))
	}
	out := []Line{{name + ": changed", ToneNormal}}
	for _, c := range s.Changes {
		field, live, file := Clean(c.Field), shown(c.Live), shown(c.File)
		if len(live)+len(file) <= longValues {
			out = append(out, Line{Text: fmt.Sprintf("  %-*s  %s → %s", width, field, live, file)})
			continue
		}
		out = append(out, Line{Text: "  " + field}, Line{Text: "    live: " + live}, Line{Text: "    file: " + file})
	}
	return out
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

// shown makes an empty value visible.
func shown(v string) string {
	if v == "" {
		return "(none)"
	}
	return Clean(v)
}
