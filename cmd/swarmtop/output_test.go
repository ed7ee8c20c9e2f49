package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/swarmtop/swarmtop/swarm"
)

// Unit tests of the command line's text output, without an engine.

func TestWriteDiff(t *testing.T) {
	t.Run("same", func(t *testing.T) {
		var out bytes.Buffer
		writeDiff(&out, swarm.StackDiff{Stack: "shop", Services: []swarm.ServiceDiff{
			{Service: "web", Status: swarm.DiffSame}, {Service: "worker", Status: swarm.DiffSame},
		}})
		if got, want := out.String(), "stack shop is as the files say (2 services)\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("differs", func(t *testing.T) {
		long := strings.Repeat("x", 40)
		var out bytes.Buffer
		writeDiff(&out, swarm.StackDiff{Stack: "shop", Services: []swarm.ServiceDiff{
			{Service: "cache", Status: swarm.DiffSame},
			{Service: "db", Status: swarm.DiffMissing},
			{Service: "old", Status: swarm.DiffExtra},
			{Service: "web", Status: swarm.DiffChanged, Changes: []swarm.FieldChange{
				{Field: "replicas", Live: "3", File: "2"},
				{Field: "env.DEBUG", Live: "", File: "1"},
				{Field: "command", Live: long, File: long + "\x1b[2J"},
			}},
		}})
		want := "stack shop: 3 of 4 services differ from the files (live → file)\n" +
			"db: missing (in the files, not deployed)\n" +
			"old: extra (deployed, not in the files)\n" +
			"web: changed\n" +
			"  replicas   3 → 2\n" +
			"  env.DEBUG  (none) → 1\n" +
			"  command\n    live: " + long + "\n    file: " + long + "\n" +
			"same: cache\n"
		if got := out.String(); got != want {
			t.Errorf("got:\n%s\nwant:\n%s", got, want)
		}
	})
}

func TestWriteDeployObjects(t *testing.T) {
	r := &swarm.DeployResult{Stack: "shop", Objects: []swarm.DeployObject{
		{Kind: "secret", Name: "shop_db", Action: swarm.ObjectCreated},
		{Kind: "service", Name: "web", Action: swarm.ObjectUpdated, Detail: "image"},
		{Kind: "service", Name: "worker", Action: swarm.ObjectUnchanged},
	}, Notes: []string{"web: kept 3 replicas"}}

	var plan bytes.Buffer
	writeDeployObjects(&plan, r, "plan", true)
	for _, want := range []string{"plan for stack shop:", "secret shop_db create", "service web update image",
		"service worker unchanged", "note: web: kept 3 replicas"} {
		if !hasLine(plan.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, plan.String())
		}
	}

	var report bytes.Buffer
	writeDeployObjects(&report, r, "deploy stopped; what was done", false)
	for _, want := range []string{"deploy stopped; what was done for stack shop:", "secret shop_db created", "service web updated image"} {
		if !hasLine(report.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, report.String())
		}
	}
}

func TestDeploySummary(t *testing.T) {
	r := &swarm.DeployResult{Stack: "shop", Objects: []swarm.DeployObject{
		{Action: swarm.ObjectUnchanged}, {Action: swarm.ObjectCreated}, {Action: swarm.ObjectUpdated},
		{Action: swarm.ObjectCreated}, {Action: swarm.ObjectUnchanged},
	}}
	if got, want := deploySummary(r), "deployed shop: 2 created, 1 updated, 2 unchanged"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestExitCodes(t *testing.T) {
	lost := &engineLostError{&swarm.EngineLostError{Host: "tcp://10.0.0.1:2375"}}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"engine lost while waiting", lost, 3},
		{"not converged", notConverged([]swarm.Verdict{{Service: "web", Kind: swarm.Paused}}), exitFailed},
		{"stack differs", stackDiffersError{}, exitFailed},
		{"bad input", badInput(errors.New("boom")), exitBadInput},
		{"anything else", errors.New("boom"), exitFailed},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("%s: exit %d, want %d", tt.name, got, tt.want)
		}
	}
}
