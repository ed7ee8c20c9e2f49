package swarm

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

const unhealthyErr = "task: non-zero exit (137): dockerexec: unhealthy container"

func TestTaskHealth(t *testing.T) {
	plain := readTestService("shop", "web", 1, 1)
	checked := readTestService("shop", "web", 1, 1)
	checked.Spec.TaskTemplate.ContainerSpec.Healthcheck = readTestHealthcheck()
	disabled := readTestService("shop", "web", 1, 1)
	disabled.Spec.TaskTemplate.ContainerSpec.Healthcheck = readTestHealthcheck()
	disabled.Spec.TaskTemplate.ContainerSpec.Healthcheck.Test = []string{"NONE"}

	withErr := func(tk swarm.Task, err string) swarm.Task { tk.Status.Err = err; return tk }
	asJob := func(tk swarm.Task) swarm.Task { tk.JobIteration = &swarm.Version{}; return tk }
	task := func(svc swarm.Service, state, desired swarm.TaskState) swarm.Task {
		return readTestTask("t", svc, 1, state, desired, time.Minute)
	}
	running, shutdown := swarm.TaskStateRunning, swarm.TaskStateShutdown

	tests := []struct {
		name string
		task swarm.Task
		want Health
	}{
		{"running without healthcheck", task(plain, running, running), HealthNone},
		{"running with healthcheck passed it", task(checked, running, running), HealthHealthy},
		{"healthcheck NONE is no healthcheck", task(disabled, running, running), HealthNone},
		{"starting waits for the first passing check", task(checked, swarm.TaskStateStarting, running), HealthStarting},
		{"pending without error", task(plain, swarm.TaskStatePending, running), HealthStarting},
		{"ready during a restart delay", task(plain, swarm.TaskStateReady, swarm.TaskStateReady), HealthStarting},
		{"pending with no suitable node", withErr(task(plain, swarm.TaskStatePending, running),
			"no suitable node (scheduling constraints not satisfied on 1 node)"), HealthFailing},
		{"failed on exit", withErr(task(plain, swarm.TaskStateFailed, shutdown), "task: non-zero exit (1)"), HealthFailing},
		{"failed by healthcheck", withErr(task(checked, swarm.TaskStateFailed, shutdown), unhealthyErr), HealthUnhealthy},
		{"rejected", withErr(task(plain, swarm.TaskStateRejected, shutdown), "No such image: nope:1"), HealthFailing},
		{"shut down on purpose", task(plain, shutdown, shutdown), HealthNone},
		{"shut down with an error", withErr(task(plain, shutdown, shutdown), "task: non-zero exit (2)"), HealthFailing},
		{"job completed", asJob(task(plain, swarm.TaskStateComplete, swarm.TaskStateComplete)), HealthNone},
		{"service task exited 0 by itself", task(plain, swarm.TaskStateComplete, shutdown), HealthFailing},
		{"exited 0 after its healthcheck failed (20.10 drops the cause)",
			task(checked, swarm.TaskStateComplete, shutdown), HealthUnhealthy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := taskHealth(&tt.task); got != tt.want {
				t.Errorf("taskHealth = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCrashLoop(t *testing.T) {
	svc := readTestService("shop", "worker", 1, 0)
	exit := func(id string, age time.Duration) swarm.Task {
		return readTestFailed(id, svc, 1, age, 1, "task: non-zero exit (1)")
	}
	unhealthy := func(id string, age time.Duration) swarm.Task {
		return readTestFailed(id, svc, 1, age, 137, unhealthyErr)
	}
	rejected := func(id string, age time.Duration) swarm.Task {
		tk := readTestTask(id, svc, 1, swarm.TaskStateRejected, swarm.TaskStateShutdown, age)
		tk.Status.Err = "No such image: nope:1"
		return tk
	}
	stopped := func(id string, age time.Duration) swarm.Task {
		tk := readTestTask(id, svc, 1, swarm.TaskStateComplete, swarm.TaskStateShutdown, age)
		tk.Spec.ContainerSpec.Healthcheck = readTestHealthcheck()
		return tk
	}
	// An engine restart marks tasks failed at once, however old they are.
	longRun := func(id string, created time.Duration) swarm.Task {
		tk := exit(id, 3*time.Second)
		tk.Status.ContainerStatus.ExitCode, tk.Status.Err = 255, "task: non-zero exit (255)"
		tk.CreatedAt = readTestAgo(created)
		return tk
	}
	pending := readTestTask("new", svc, 1, swarm.TaskStatePending, swarm.TaskStateRunning, time.Second)
	updated := readTestTask("old", svc, 1, swarm.TaskStateShutdown, swarm.TaskStateShutdown, 10*time.Second)

	tests := []struct {
		name string
		slot []swarm.Task // newest first
		want Health
	}{
		{"no history", []swarm.Task{pending}, HealthNone},
		{"one failure is not a loop yet", []swarm.Task{pending, exit("a", 5*time.Second)}, HealthNone},
		{"two recent exits", []swarm.Task{pending, exit("a", 5*time.Second), exit("b", 12*time.Second)}, HealthRestarting},
		{"failures outside the window", []swarm.Task{pending, exit("a", 6*time.Minute), exit("b", 7*time.Minute)}, HealthNone},
		{"one recent, one old", []swarm.Task{pending, exit("a", time.Minute), exit("b", 10*time.Minute)}, HealthNone},
		{"tasks that ran for hours, failed at once by an engine restart", []swarm.Task{pending, longRun("a", 30*time.Minute), longRun("b", 3*time.Hour), longRun("c", 7*time.Hour)}, HealthNone},
		{"a task that ran long, then one that failed fast", []swarm.Task{pending, exit("a", 10*time.Second), longRun("b", time.Hour)}, HealthNone},
		{"two recent exits of tasks created within the window", []swarm.Task{pending, exit("a", 10*time.Second), longRun("b", 4*time.Minute)}, HealthRestarting},
		{"plain shutdowns from updates do not count", []swarm.Task{pending, updated, updated}, HealthNone},
		{"killed by its healthcheck", []swarm.Task{pending, unhealthy("a", 5*time.Second), unhealthy("b", 20*time.Second)}, HealthUnhealthy},
		{"stopped by its healthcheck, exit 0", []swarm.Task{pending, stopped("a", 5*time.Second), stopped("b", 20*time.Second)}, HealthUnhealthy},
		{"newest failure names the loop", []swarm.Task{pending, exit("a", 5*time.Second), unhealthy("b", 20*time.Second)}, HealthRestarting},
		{"rejected again and again", []swarm.Task{pending, rejected("a", 5*time.Second), rejected("b", 10*time.Second)}, HealthFailing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			signs := make([]Health, len(tt.slot))
			for i := range tt.slot {
				signs[i] = loopSign(&tt.slot[i], readTestNow)
			}
			if got := crashLoop(slices.Values(signs)); got != tt.want {
				t.Errorf("crash loop = %s (signs %v), want %s", got, signs, tt.want)
			}
		})
	}
}

func TestServiceHealthNotConverged(t *testing.T) {
	tests := []struct {
		name    string
		worst   Health
		service Service
		want    Health
	}{
		{"all running", HealthHealthy, Service{Mode: "replicated", Running: 2, Desired: 2}, HealthHealthy},
		{"missing tasks start", HealthHealthy, Service{Mode: "replicated", Running: 1, Desired: 2}, HealthStarting},
		{"no tasks at all yet", HealthNone, Service{Mode: "global", Running: 0, Desired: 1}, HealthStarting},
		{"worse reason wins", HealthRestarting, Service{Mode: "replicated", Running: 0, Desired: 1}, HealthRestarting},
		{"a finished job runs nothing", HealthNone, Service{Mode: "replicated-job", Running: 0, Desired: 1}, HealthNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := serviceHealth(tt.worst, &tt.service); got != tt.want {
				t.Errorf("serviceHealth = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestHealthJSONIsItsName(t *testing.T) {
	b, err := json.Marshal(map[string]Health{"h": HealthRestarting})
	if err != nil || string(b) != `{"h":"restarting"}` {
		t.Fatalf("marshal: %s, %v", b, err)
	}
	var back map[string]Health
	if err := json.Unmarshal(b, &back); err != nil || back["h"] != HealthRestarting {
		t.Fatalf("unmarshal: %v, %v", back, err)
	}
}
