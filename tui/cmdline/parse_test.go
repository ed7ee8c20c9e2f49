package cmdline

import (
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	for line, want := range map[string]Command{
		"nodes":          {Verb: "nodes", Args: []string{}},
		":scale web 4":   {Verb: "scale", Args: []string{"web", "4"}},
		"logs web nginx": {Verb: "logs", Args: []string{"web", "nginx"}},
		"q":              {Verb: "quit", Args: []string{}},
	} {
		got, err := Parse(line)
		if err != nil || got.Verb != want.Verb || !slices.Equal(got.Args, want.Args) {
			t.Errorf("Parse(%q) = %+v, %v", line, got, err)
		}
	}
	for _, bad := range []string{"", "scale web", "nodes extra", "frob"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestComplete(t *testing.T) {
	services := []string{"web", "worker", "nginx"}
	cases := []struct {
		line string
		want []string
	}{
		{"", []string{"stacks", "stack", "nodes", "activity", "logs", "scale", "restart", "rollback", "image", "diff", "deploy", "release", "quit"}},
		{"st", []string{"stacks", "stack"}},
		{"scale w", []string{"web", "worker"}},
		{"scale ", services},
		{"scale web ", nil},
		{"logs web n", []string{"nginx"}},
		{"stack s", []string{"shop"}},
	}
	for _, c := range cases {
		if got := Complete(c.line, services, []string{"shop"}); !slices.Equal(got, c.want) {
			t.Errorf("Complete(%q) = %v, want %v", c.line, got, c.want)
		}
	}
	if got := Apply("scale w", "web"); got != "scale web " {
		t.Error(got)
	}
	if got := commonPrefix([]string{"web", "worker"}); got != "w" {
		t.Error(got)
	}
}
