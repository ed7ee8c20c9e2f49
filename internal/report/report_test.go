package report

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/swarmtop/swarmtop/swarm"
)

// text is lines as Write prints them, for comparing whole reports.
func text(lines []Line) string {
	var b bytes.Buffer
	Write(&b, lines...)
	return b.String()
}

func TestDiffLines(t *testing.T) {
	long := strings.Repeat("x", 40)
	tests := []struct {
		name  string
		diff  swarm.StackDiff
		want  string
		kinds []Kind // of each line, when given
	}{
		{
			name: "same",
			diff: swarm.StackDiff{Stack: "shop", Services: []swarm.ServiceDiff{
				{Service: "web", Status: swarm.DiffSame}, {Service: "worker", Status: swarm.DiffSame},
			}},
			want:  "stack shop is as the files say (2 services)\n",
			kinds: []Kind{OK},
		},
		{
			name: "differs",
			diff: swarm.StackDiff{Stack: "shop", Services: []swarm.ServiceDiff{
				{Service: "cache", Status: swarm.DiffSame},
				{Service: "db", Status: swarm.DiffMissing},
				{Service: "old", Status: swarm.DiffExtra},
				{Service: "web", Status: swarm.DiffChanged, Changes: []swarm.FieldChange{
					{Field: "replicas", Live: "3", File: "2"},
					{Field: "env.DEBUG", Live: "", File: "1"},
					{Field: "command", Live: long, File: long + "\x1b[2J"},
				}},
			}},
			want: "stack shop: 3 of 4 services differ from the files (live → file)\n" +
				"\n" +
				"db: missing (in the files, not deployed)\n" +
				"old: extra (deployed, not in the files)\n" +
				"\n" +
				"web: changed\n" +
				"  replicas   3 → 2\n" +
				"  env.DEBUG  (none) → 1\n" +
				"  command\n" +
				"    live: " + long + "\n" +
				"    file: " + long + "\n" +
				"\n" +
				"same: cache\n",
			kinds: []Kind{Warning, Normal, Warning, Warning, Normal, Normal, Normal, Normal, Normal, Normal, Normal, Normal, Muted},
		},
		{
			// A long field name on its own lines does not widen the column
			// of the changes that fit on one line.
			name: "column of the short changes only",
			diff: swarm.StackDiff{Stack: "shop", Services: []swarm.ServiceDiff{
				{Service: "web", Status: swarm.DiffChanged, Changes: []swarm.FieldChange{
					{Field: "image", Live: "web:1", File: "web:2"},
					{Field: "healthcheck.test", Live: long, File: long},
				}},
			}},
			want: "stack shop: 1 of 1 services differ from the files (live → file)\n\n" +
				"web: changed\n" +
				"  image  web:1 → web:2\n" +
				"  healthcheck.test\n    live: " + long + "\n    file: " + long + "\n",
		},
		{
			name: "missing and extra after a changed service",
			diff: swarm.StackDiff{Stack: "shop", Services: []swarm.ServiceDiff{
				{Service: "api", Status: swarm.DiffChanged, Changes: []swarm.FieldChange{{Field: "replicas", Live: "1", File: "2"}}},
				{Service: "db", Status: swarm.DiffMissing},
				{Service: "old", Status: swarm.DiffExtra},
				{Service: "web", Status: swarm.DiffChanged, Changes: []swarm.FieldChange{{Field: "image", Live: "web:1", File: "web:2"}}},
			}},
			want: "stack shop: 4 of 4 services differ from the files (live → file)\n\n" +
				"api: changed\n  replicas  1 → 2\n\n" +
				"db: missing (in the files, not deployed)\n" +
				"old: extra (deployed, not in the files)\n\n" +
				"web: changed\n  image  web:1 → web:2\n",
		},
		{
			// Engine text is cleaned: names lose their escapes, values keep
			// their spacing so that "a  b" and "a b" stay apart.
			name: "engine text cleaned",
			diff: swarm.StackDiff{Stack: "sh\x1b]0;pwned\x07op", Services: []swarm.ServiceDiff{
				{Service: "web\x1b[31m", Status: swarm.DiffChanged, Changes: []swarm.FieldChange{
					{Field: "env.\x1b[2JGREETING", Live: "a  b", File: "a b\x07"},
				}},
				{Service: "evil\r\nname", Status: swarm.DiffSame},
			}},
			want: "stack shop: 1 of 2 services differ from the files (live → file)\n\n" +
				"web: changed\n" +
				"  env.GREETING  a  b → a b\n" +
				"\nsame: evil name\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines := DiffLines(tt.diff)
			if got := text(lines); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			if tt.kinds != nil {
				kinds := make([]Kind, len(lines))
				for i, l := range lines {
					kinds[i] = l.Kind
				}
				if !slices.Equal(kinds, tt.kinds) {
					t.Errorf("kinds = %v, want %v", kinds, tt.kinds)
				}
			}
		})
	}
}

func TestPlan(t *testing.T) {
	objects := []swarm.DeployObject{
		{Kind: swarm.KindSecret, Name: "shop_db", Action: swarm.ObjectCreated},
		{Kind: swarm.KindNetwork, Name: "shop_default", Action: swarm.ObjectUnchanged, Detail: "exists (networks are never updated)"},
		{Kind: swarm.KindService, Name: "web", Action: swarm.ObjectUpdated, Detail: "image"},
		{Kind: swarm.KindService, Name: "old", Action: swarm.ObjectRemoved, Detail: "not in the file"},
		{Kind: swarm.KindService, Name: "worker", Action: swarm.ObjectUnchanged},
		{Kind: swarm.KindService, Name: "migrate", Action: swarm.ObjectUnchanged, Detail: "still running; the deploy waits for it"},
	}
	tests := []struct {
		name        string
		result      swarm.DeployResult
		heading     string
		lines       string
		mutedFromAt int // lines from this index on are Muted
	}{
		{
			name:    "changes, unchanged and notes",
			result:  swarm.DeployResult{Stack: "shop", Objects: objects, Notes: []string{"web: kept 3 replicas\x1b[2J"}},
			heading: "plan for stack shop:",
			lines: "  create  secret   shop_db\n" +
				"  update  service  web: image\n" +
				"  remove  service  old: not in the file\n" +
				"  keep    service  migrate: still running; the deploy waits for it\n" +
				"2 unchanged\n" +
				"note: web: kept 3 replicas\n",
			mutedFromAt: 3,
		},
		{
			name:        "nothing to do, dry run",
			result:      swarm.DeployResult{Stack: "shop", DryRun: true, Objects: objects[4:]},
			heading:     "plan (dry run, nothing changed) for stack shop:",
			lines:       "nothing to create, update or remove\n  keep    service  migrate: still running; the deploy waits for it\n1 unchanged\n",
			mutedFromAt: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlanHeading(&tt.result).Text; got != tt.heading {
				t.Errorf("heading = %q, want %q", got, tt.heading)
			}
			lines := PlanLines(&tt.result)
			if got := text(lines); got != tt.lines {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.lines)
			}
			for i, l := range lines {
				if want := i >= tt.mutedFromAt; (l.Kind == Muted) != want {
					t.Errorf("line %d %q: kind %v", i, l.Text, l.Kind)
				}
			}
		})
	}
}

func TestDeployLines(t *testing.T) {
	r := &swarm.DeployResult{Stack: "shop", Objects: []swarm.DeployObject{
		{Kind: swarm.KindNetwork, Name: "shop_default", Action: swarm.ObjectUnchanged},
		{Kind: swarm.KindService, Name: "migrate", Action: swarm.ObjectUpdated, Detail: "command; job completed"},
		{Kind: swarm.KindService, Name: "flower", Action: swarm.ObjectFailed, Detail: "port 80 is\nalready in use"},
		{Kind: swarm.KindService, Name: "web", Action: swarm.ObjectSkipped, Detail: "not attempted (would have been updated)"},
	}, Notes: []string{"web: kept 3 replicas"}, Warnings: []string{"web: image x:1 could not be accessed"}}
	tests := []struct {
		name  string
		lines []Line
		want  []Line
	}{
		{"heading", []Line{StoppedHeading(r)}, []Line{{"deploy stopped; what was done for stack shop:", Danger}}},
		{"objects and notes", DeployLines(r), []Line{
			{"  unchanged network  shop_default", Muted},
			{"  updated   service  migrate: command; job completed", Normal},
			{"  failed    service  flower: port 80 is already in use", Danger},
			{"  skipped   service  web: not attempted (would have been updated)", Warning},
			{"note: web: kept 3 replicas", Muted},
		}},
		{"warnings", WarningLines(r.Warnings), []Line{{"warning: web: image x:1 could not be accessed", Warning}}},
		{"no warnings", WarningLines(nil), []Line{}},
		{"summary", []Line{DeploySummary(r)}, []Line{{"deployed shop: 1 updated, 1 unchanged", OK}}},
		{"detached", []Line{Detached("shop")}, []Line{{"not waiting (--detach): `swarmtop status -s shop` shows how it goes", Normal}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !slices.Equal(tt.lines, tt.want) {
				t.Errorf("got:\n%+v\nwant:\n%+v", tt.lines, tt.want)
			}
		})
	}
}

func TestDeploySummaryCounts(t *testing.T) {
	tests := []struct {
		actions []swarm.ObjectAction
		want    string
	}{
		{[]swarm.ObjectAction{swarm.ObjectUnchanged, swarm.ObjectCreated, swarm.ObjectUpdated, swarm.ObjectCreated, swarm.ObjectUnchanged},
			"deployed shop: 2 created, 1 updated, 2 unchanged"},
		{[]swarm.ObjectAction{swarm.ObjectRemoved, swarm.ObjectUnchanged}, "deployed shop: 1 removed, 1 unchanged"},
	}
	for _, tt := range tests {
		r := &swarm.DeployResult{Stack: "shop"}
		for _, a := range tt.actions {
			r.Objects = append(r.Objects, swarm.DeployObject{Kind: swarm.KindService, Action: a})
		}
		if got := DeploySummary(r).Text; got != tt.want {
			t.Errorf("%v: got %q, want %q", tt.actions, got, tt.want)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"web", "web"},
		{"a\x1b[2Jb", "ab"},
		{"title\x1b]0;x\x07 set", "title set"},
		{"two\r\nlines\tand  spaces", "two lines and spaces"},
		{"  padded  ", "padded"},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWrite(t *testing.T) {
	tests := []struct {
		lines []Line
		want  string
	}{
		{nil, ""},
		{[]Line{{Text: "a"}, {}, {Text: "b", Kind: Danger}}, "a\n\nb\n"},
	}
	for _, tt := range tests {
		if got := text(tt.lines); got != tt.want {
			t.Errorf("Write(%+v) = %q, want %q", tt.lines, got, tt.want)
		}
	}
}
