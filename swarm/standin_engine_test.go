package swarm_test

import (
	"bytes"
	"context"
	"regexp"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/internal/enginetest"
)

// The stand-in images are what every engine test and the demo run; these
// tests prove `make images` loaded them and that they behave like a service.

func TestStandinImagesLoaded(t *testing.T) {
	e := enginetest.Engine(t)
	for _, ref := range []string{"swarmtop/standin:1", "swarmtop/standin:2"} {
		res, err := e.Client().ImageInspect(context.Background(), ref)
		if err != nil {
			t.Fatalf("%s: %v (run `make images`)", ref, err)
		}
		if got := res.Config.Entrypoint; len(got) != 1 || got[0] != "/standin" {
			t.Errorf("%s entrypoint = %q, want [/standin]", ref, got)
		}
	}
}

func TestStandinServiceRunsHealthyAndLogs(t *testing.T) {
	e := enginetest.Engine(t)
	stack := enginetest.Stack(t, e)
	api := e.Client()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	created, err := api.ServiceCreate(ctx, client.ServiceCreateOptions{Spec: standinWebSpec(stack)})
	if err != nil {
		t.Fatalf("create service: %v", err)
	}
	task := waitRunningTask(ctx, t, api, created.ID)
	waitHealthy(ctx, t, api, task.Status.ContainerStatus.ContainerID)

	logs := readLogs(ctx, t, api, created.ID)
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`version 1\b`),
		regexp.MustCompile(`(?i)uwsgi`),
	} {
		if !want.Match(logs) {
			t.Errorf("logs do not match %v:\n%s", want, logs)
		}
	}
}

func standinWebSpec(stack string) swarm.ServiceSpec {
	replicas := uint64(1)
	return swarm.ServiceSpec{
		Annotations: swarm.Annotations{
			Name:   stack + "_web",
			Labels: map[string]string{enginetest.NamespaceLabel: stack},
		},
		Mode: swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &replicas}},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &swarm.ContainerSpec{
				Image: "swarmtop/standin:1",
				Args:  []string{"web"},
				Healthcheck: &container.HealthConfig{
					Test:     []string{"CMD", "/standin", "health"},
					Interval: time.Second,
					Timeout:  2 * time.Second,
					Retries:  3,
				},
			},
		},
	}
}

func waitRunningTask(ctx context.Context, t *testing.T, api *client.Client, serviceID string) swarm.Task {
	t.Helper()
	f := make(client.Filters).Add("service", serviceID).Add("desired-state", "running")
	var last swarm.TaskStatus
	for ctx.Err() == nil {
		res, err := api.TaskList(ctx, client.TaskListOptions{Filters: f})
		if err != nil {
			t.Fatalf("task list: %v", err)
		}
		for _, task := range res.Items {
			last = task.Status
			if task.Status.State == swarm.TaskStateRunning && task.Status.ContainerStatus != nil {
				return task
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("no running task before the deadline; last status %s %q", last.State, last.Err)
	return swarm.Task{}
}

func waitHealthy(ctx context.Context, t *testing.T, api *client.Client, containerID string) {
	t.Helper()
	status := ""
	for ctx.Err() == nil {
		res, err := api.ContainerInspect(ctx, containerID, client.ContainerInspectOptions{})
		if err != nil {
			t.Fatalf("inspect container: %v", err)
		}
		if h := res.Container.State.Health; h != nil {
			status = string(h.Status)
			if status == "healthy" {
				return
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("container never became healthy; last health status %q", status)
}

func readLogs(ctx context.Context, t *testing.T, api *client.Client, serviceID string) []byte {
	t.Helper()
	rc, err := api.ServiceLogs(ctx, serviceID, client.ServiceLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		t.Fatalf("service logs: %v", err)
	}
	defer rc.Close()
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, rc); err != nil {
		t.Fatalf("demultiplex logs: %v", err)
	}
	return out.Bytes()
}
