package swarm

import (
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

func TestWriteStatusTableAndFailures(t *testing.T) {
	web := readTestService("shop", "web", 2, 2)
	web.Endpoint.Ports = []swarm.PortConfig{{Protocol: "tcp", TargetPort: 8000, PublishedPort: 80}}
	worker := readTestService("shop", "worker", 1, 0)
	worker.UpdateStatus = &swarm.UpdateStatus{State: swarm.UpdateStatePaused, Message: "update paused due to failure or early termination of task x"}
	longErr := "starting container failed: " + strings.Repeat("very long reason ", 10) + "\x1b]52;c;evil\x07end"
	tasks := []swarm.Task{
		readTestTask("a1", web, 1, swarm.TaskStateRunning, swarm.TaskStateRunning, time.Hour),
		readTestTask("a2", web, 2, swarm.TaskStateRunning, swarm.TaskStateRunning, time.Hour),
		readTestTask("w", worker, 1, swarm.TaskStateReady, swarm.TaskStateReady, time.Second),
		readTestFailed("f1", worker, 1, 12*time.Second, 1, longErr),
		readTestFailed("f2", worker, 1, 30*time.Second, 1, "task: non-zero exit (1)"),
	}
	nodes := []swarm.Node{readTestNode("node1", "alpha", true)}
	snap := BuildSnapshot("shop", []swarm.Service{web, worker}, tasks, nodes, readTestNow)

	var out strings.Builder
	if err := WriteStatus(&out, snap); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	want := []string{
		"NAME    MODE        REPLICAS  IMAGE               UPDATE  HEALTH      PORTS",
		"web     replicated  2/2       swarmtop/standin:1  -       -           80:8000/tcp",
		"worker  replicated  0/1       swarmtop/standin:1  paused  restarting  -",
		"FAILING TASK  NODE   STATE   AGO  EXIT  FAILURES  ERROR",
		"worker.1      alpha  failed  12s  1     2         starting container failed: very long reason",
		"UPDATE  STATE   MESSAGE",
		"worker  paused  update paused due to failure or early termination of task x",
	}
	for _, line := range want {
		if !strings.Contains(got, line) {
			t.Errorf("output lacks %q:\n%s", line, got)
		}
	}
	if !strings.Contains(got, strings.Repeat("very long reason ", 10)) {
		t.Errorf("the error was truncated:\n%s", got)
	}
	if strings.ContainsAny(got, "\x1b\x07") {
		t.Errorf("control characters reached the output: %q", got)
	}
}

func TestWriteNodesAndStacks(t *testing.T) {
	var out strings.Builder
	nodes := []Node{
		{Hostname: "alpha", Role: "manager", Availability: "active", Status: "ready", EngineVersion: "20.10.24", Leader: true, Tasks: 3},
		{Hostname: "beta", Role: "worker", Availability: "drain", Status: "down", EngineVersion: "20.10.24"},
	}
	if err := WriteNodes(&out, nodes); err != nil {
		t.Fatal(err)
	}
	if err := WriteStacks(&out, []StackSummary{{Name: "shop", Services: 12, RunningTasks: 14, DesiredTasks: 15}}); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"HOSTNAME  ROLE              AVAILABILITY  STATUS  ENGINE    TASKS\n" +
		"alpha     manager (leader)  active        ready   20.10.24  3\n" +
		"beta      worker            drain         down    20.10.24  0\n" +
		"STACK  SERVICES  TASKS\n" +
		"shop   12        14/15\n"
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestAgeText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		-time.Second: "0s", 12 * time.Second: "12s", 5 * time.Minute: "5m", 3 * time.Hour: "3h", 72 * time.Hour: "3d",
	} {
		if got := ageText(d); got != want {
			t.Errorf("ageText(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestExitTextOnlyForContainersThatRan(t *testing.T) {
	tests := []struct {
		task Task
		want string
	}{
		{Task{State: "failed", ContainerID: "c1", ExitCode: 137}, "137"},
		{Task{State: "complete", ContainerID: "c1"}, "0"},
		{Task{State: "rejected", ContainerID: "c1"}, "-"},
		{Task{State: "failed"}, "-"},
	}
	for _, tt := range tests {
		if got := exitText(tt.task); got != tt.want {
			t.Errorf("exitText(%+v) = %q, want %q", tt.task, got, tt.want)
		}
	}
}
