package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"

	"github.com/swarmtop/swarmtop/internal/enginetest"
	sw "github.com/swarmtop/swarmtop/swarm"
)

func TestStatusAndNodesOnTheSwarm(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t)
	stack := enginetest.Stack(t, e)
	statusCreateWeb(t, e, stack)

	t.Run("table", func(t *testing.T) {
		stdout, stderr, code := runSwarmtop(t, nil, "status", "--stack", stack)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		rows := serviceRows(stdout)
		// The engine picks the published port (30000 and up) when the spec
		// leaves it out, which keeps parallel tests from colliding.
		want := regexp.MustCompile(`^web replicated 2/2 swarmtop/standin:1 - - [0-9]+:8000/tcp$`)
		if !strings.HasPrefix(stdout, "NAME ") || len(rows) != 1 || !want.MatchString(strings.Join(rows[0], " ")) {
			t.Errorf("status output:\n%s\nwant one row matching %s", stdout, want)
		}
	})
	t.Run("json", func(t *testing.T) {
		stdout, stderr, code := runSwarmtop(t, nil, "status", "-s", stack, "--json")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		var got struct {
			Stack    string
			Services []struct {
				Name             string
				Running, Desired uint64
				Health           string
			}
			Tasks    []struct{ Slot int }
			Failures []any
		}
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, stdout)
		}
		if got.Stack != stack || len(got.Services) != 1 || got.Services[0].Name != "web" || got.Services[0].Running != 2 ||
			got.Services[0].Health != "none" || len(got.Tasks) != 2 || got.Failures != nil {
			t.Errorf("status --json = %+v", got)
		}
	})
	t.Run("stacks", func(t *testing.T) {
		stdout, stderr, code := runSwarmtop(t, nil, "status")
		if code != 0 || !strings.HasPrefix(stdout, "STACK ") || !strings.Contains(stdout, "\n"+stack+" ") {
			t.Errorf("exit %d, stderr %s, stacks list lacks %s:\n%s", code, stderr, stack, stdout)
		}
	})
	t.Run("unknown stack", func(t *testing.T) {
		_, stderr, code := runSwarmtop(t, nil, "status", "-s", stack+"nope")
		if code != 2 || !strings.Contains(stderr, "has no services") {
			t.Errorf("exit %d, stderr %q; want 2 and a hint that nothing is deployed", code, stderr)
		}
	})
	t.Run("nodes", func(t *testing.T) {
		stdout, stderr, code := runSwarmtop(t, nil, "nodes")
		if code != 0 || !strings.HasPrefix(stdout, "HOSTNAME  ROLE") || !strings.Contains(stdout, "manager (leader)") {
			t.Errorf("exit %d, stderr %s, output:\n%s", code, stderr, stdout)
		}
	})
}

func TestStatusWithoutEngineExitsThree(t *testing.T) {
	for _, args := range [][]string{{"status"}, {"status", "-s", "shop"}, {"nodes"}} {
		_, stderr, code := runSwarmtop(t, []string{"DOCKER_HOST=unix:///nonexistent/docker.sock"}, args...)
		if code != 3 || !strings.Contains(stderr, "no Docker engine answers") {
			t.Errorf("%v: exit %d, stderr %q; want 3", args, code, stderr)
		}
	}
}

// statusCreateWeb creates the stack's web service with two replicas and a
// published port, and waits until both run.
func statusCreateWeb(t *testing.T, e *sw.Engine, stack string) {
	t.Helper()
	spec := e2eSpec(stack, "web", 2)
	spec.EndpointSpec = &swarm.EndpointSpec{Ports: []swarm.PortConfig{{Protocol: "tcp", TargetPort: 8000}}}
	createService(t, e, spec)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		snap, err := e.ReadStack(ctx, stack)
		if err == nil && len(snap.Services) == 1 && snap.Services[0].Running == 2 {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatal("web never ran 2 tasks")
}
