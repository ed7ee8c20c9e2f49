package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/internal/enginetest"
)

// deployTestStack is a job and a web service that converge in seconds.
const deployTestStack = `
services:
  migrate:
    image: swarmtop/standin:1
    command: ["migrate"]
    environment: {STANDIN_MIGRATE_TIME: 1s, STANDIN_LOG_RATE: "0"}
    deploy:
      mode: replicated-job
      restart_policy: {condition: none}
  web:
    image: swarmtop/standin:1
    command: ["web"]
    environment: {STANDIN_LOG_RATE: "0"}
    stop_grace_period: 1s
    deploy:
      replicas: 2
      update_config: {parallelism: 0, monitor: 1s}
`

func TestDeployCommandConvergesAndDiffShowsALiveScale(t *testing.T) {
	e := enginetest.Engine(t)
	stack := enginetest.Stack(t, e)
	file := filepath.Join(t.TempDir(), "stack.yml")
	if err := os.WriteFile(file, []byte(deployTestStack), 0o644); err != nil {
		t.Fatal(err)
	}

	stdout, stderr, code := runSwarmtop(t, nil, "deploy", "-c", file, "-s", stack)
	if code != 0 {
		t.Fatalf("deploy exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"create service migrate", "create service web", "web converged", "migrate converged"} {
		if !hasLine(stdout, want) {
			t.Errorf("deploy output lacks %q:\n%s", want, stdout)
		}
	}

	if _, _, code := runSwarmtop(t, nil, "diff", "-c", file, "-s", stack); code != 0 {
		t.Errorf("diff right after deploy: exit %d, want 0", code)
	}

	// Scale web live to 3 with the raw client, as an operator might.
	ctx := context.Background()
	web, err := e.FindService(ctx, stack, "web")
	if err != nil {
		t.Fatal(err)
	}
	three := uint64(3)
	web.Spec.Mode.Replicated.Replicas = &three
	if _, err := e.Client().ServiceUpdate(ctx, web.ID, client.ServiceUpdateOptions{Version: web.Meta.Version, Spec: web.Spec}); err != nil {
		t.Fatal(err)
	}
	stdout, _, code = runSwarmtop(t, nil, "diff", "-c", file, "-s", stack)
	if code != 1 {
		t.Errorf("diff after a live scale: exit %d, want 1", code)
	}
	if !hasLine(stdout, "web: changed") || !hasLine(stdout, "replicas 3 → 2") {
		t.Errorf("diff output lacks web's replicas 3 → 2:\n%s", stdout)
	}

	stdout, _, code = runSwarmtop(t, nil, "deploy", "--dry-run", "-c", file, "-s", stack)
	if code != 0 || !strings.Contains(stdout, "note: web: kept 3 replicas (file says 2); use --reset-replicas") {
		t.Errorf("dry run: exit %d, output:\n%s", code, stdout)
	}
	if svc, _ := e.FindService(ctx, stack, "web"); *svc.Spec.Mode.Replicated.Replicas != 3 {
		t.Error("the dry run changed web")
	}
}

func TestDeployCommandBadInputExitsTwo(t *testing.T) {
	dir := t.TempDir()
	refused := filepath.Join(dir, "stack.yml")
	if err := os.WriteFile(refused, []byte("services:\n  web:\n    image: x:1\n    dns: [not-an-ip]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		want  string
		needs bool // needs an engine
	}{
		{"no file", []string{"deploy"}, "no stack file", false},
		{"stray argument", []string{"deploy", "-c", refused, "web"}, "unknown command", false},
		{"file the converter refuses", []string{"deploy", "-c", refused, "-s", "tbad"}, "services.web.dns", true},
		{"diff without file", []string{"diff"}, "no stack file", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.needs {
				enginetest.Engine(t)
			}
			_, stderr, code := runSwarmtop(t, nil, tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

// hasLine reports a line that starts with want's words, however the
// columns are padded.
func hasLine(out, want string) bool {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.Join(strings.Fields(line), " "), want) {
			return true
		}
	}
	return false
}
