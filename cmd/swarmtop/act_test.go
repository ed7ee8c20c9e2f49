package main

import (
	"strings"
	"testing"
)

func TestScaleCommandConverges(t *testing.T) {
	t.Parallel()
	stack := webStack(t, 1)

	stdout, stderr, code := runSwarmtop(t, nil, "scale", "web=2", "-s", stack)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"scale  web  1 → 2", "web converged in"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "\x1b") {
		t.Errorf("escape codes in output that is not a terminal:\n%q", stdout)
	}
}

func TestActCommandsBadInputExitTwo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"replicas not a number", []string{"scale", "web=x", "-s", "any"}, "whole number"},
		{"no equals sign", []string{"scale", "web", "-s", "any"}, "SERVICE=REPLICAS"},
		{"no service", []string{"restart", "-s", "any"}, "requires at least 1 arg"},
		{"image without an image", []string{"image", "web", "-s", "any"}, "usage"},
		{"no stack", []string{"rollback", "web"}, "which stack"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runSwarmtop(t, nil, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

func TestActCommandsUnknownServiceExitTwo(t *testing.T) {
	t.Parallel()
	stack := webStack(t, 1)
	for _, args := range [][]string{
		{"scale", "wbe=2", "-s", stack},
		{"restart", "wbe", "-s", stack},
		{"image", "wbe", "swarmtop/standin:2", "-s", stack},
		{"rollback", "wbe", "-s", stack},
	} {
		_, stderr, code := runSwarmtop(t, nil, args...)
		if code != 2 || !strings.Contains(stderr, `no service "wbe"`) || !strings.Contains(stderr, "web") {
			t.Errorf("%s: exit %d, stderr %q; want 2 naming wbe and the known web", args[0], code, stderr)
		}
	}
}
