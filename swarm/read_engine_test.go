package swarm_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/internal/enginetest"
	sw "github.com/swarmtop/swarmtop/swarm"
)

// Engine tests of the read model: each creates its own stack on the real
// swarm and polls ReadStack until the engine got where the test needs it.

func TestReadStackCountsTasksAndNodes(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t)
	stack := enginetest.Stack(t, e)
	web := rwSpec(stack, "web", 2, "web")
	web.TaskTemplate.ContainerSpec.Healthcheck = rwHealthcheck()
	rwCreate(t, e, web, rwSpec(stack, "worker", 1, "celery-worker"))

	snap := rwWaitSnapshot(t, e, stack, 60*time.Second, func(s sw.Snapshot) bool {
		return len(s.Services) == 2 && s.Services[0].Running == 2 && s.Services[0].Health == sw.HealthHealthy &&
			s.Services[1].Running == 1
	})

	nodes, err := e.Nodes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	self := rwNode(t, nodes, nodeID(t, e))
	if !self.Leader || self.Role != "manager" || self.Tasks < 3 {
		t.Errorf("this node = %+v, want the leader with at least this stack's 3 tasks", self)
	}

	ws := snap.Services[0]
	if ws.Name != "web" || ws.FullName != stack+"_web" || ws.Stack != stack || ws.Mode != "replicated" ||
		ws.Desired != 2 || ws.Replicas == nil || *ws.Replicas != 2 || ws.Image != "swarmtop/standin:1" || !ws.Converged {
		t.Errorf("web = %+v", ws)
	}
	if h := snap.Services[1].Health; h != sw.HealthNone {
		t.Errorf("worker (no healthcheck) health %s, want none", h)
	}
	var current []string
	for _, tk := range snap.Tasks {
		if tk.Current {
			current = append(current, fmt.Sprintf("%s.%d %s@%s", tk.Service, tk.Slot, tk.State, tk.Node))
		}
		if tk.NodeID != self.ID || tk.Node != self.Hostname {
			t.Errorf("task %s on %q (%s), want %q", tk.ID, tk.Node, tk.NodeID, self.Hostname)
		}
	}
	want := []string{"web.1 running@" + self.Hostname, "web.2 running@" + self.Hostname, "worker.1 running@" + self.Hostname}
	if !slices.Equal(current, want) {
		t.Errorf("current tasks %q, want %q", current, want)
	}
	if n := rwNode(t, snap.Nodes, self.ID).Tasks; n != 3 {
		t.Errorf("snapshot counts %d of the stack's tasks on the node, want 3", n)
	}

	stacks, err := e.Stacks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(stacks, func(s sw.StackSummary) bool { return s.Name == stack })
	if i < 0 || stacks[i] != (sw.StackSummary{Name: stack, Services: 2, RunningTasks: 3, DesiredTasks: 3}) {
		t.Errorf("Stacks() = %+v, want %s with 2 services, 3/3 tasks", stacks, stack)
	}
}

func TestReadStackCrashingService(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t)
	stack := enginetest.Stack(t, e)
	spec := rwSpec(stack, "crash", 1, "celery-worker", "STANDIN_FAIL_AFTER=2s", "STANDIN_FAIL_MODE=exit")
	rwCreate(t, e, spec)

	// Restarting exactly: for a moment after each exit the failed task
	// still has desired state running, and the service reads failing with
	// one failure counted.
	snap := rwWaitSnapshot(t, e, stack, 45*time.Second, func(s sw.Snapshot) bool {
		return len(s.Services) == 1 && s.Services[0].Health == sw.HealthRestarting
	})
	failures := snap.Failures()
	if len(failures) != 1 {
		t.Fatalf("failures = %+v, want one slot", failures)
	}
	f := failures[0].Task
	if f.Service != "crash" || f.Slot != 1 || f.State != "failed" || f.ExitCode != 1 ||
		f.Err != "task: non-zero exit (1)" || !f.Failed || f.Health != sw.HealthFailing {
		t.Errorf("newest failure = %+v", f)
	}
	if failures[0].Count < 2 {
		t.Errorf("%d failures counted in the slot, want at least 2", failures[0].Count)
	}
}

func TestReadStackUnhealthyService(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t)
	stack := enginetest.Stack(t, e)
	spec := rwSpec(stack, "sick", 1, "web", "STANDIN_FAIL_AFTER=2s", "STANDIN_FAIL_MODE=unhealthy", "STANDIN_DRAIN=0s")
	spec.TaskTemplate.ContainerSpec.Healthcheck = rwHealthcheck()
	rwCreate(t, e, spec)

	snap := rwWaitSnapshot(t, e, stack, 45*time.Second, func(s sw.Snapshot) bool {
		return len(s.Services) == 1 && s.Services[0].Health == sw.HealthUnhealthy
	})
	if f := snap.Failures(); len(f) != 1 || f[0].Task.Health != sw.HealthUnhealthy {
		t.Errorf("failures = %+v, want one slot stopped by its healthcheck", f)
	}
}

// rwSpec is a stand-in service of the stack, restarted after 1 s instead
// of 5 s so failing services fail often enough for a short test.
func rwSpec(stack, name string, replicas uint64, role string, env ...string) swarm.ServiceSpec {
	delay := time.Second
	return swarm.ServiceSpec{
		Annotations: swarm.Annotations{
			Name:   sw.FullName(stack, name),
			Labels: map[string]string{enginetest.NamespaceLabel: stack},
		},
		Mode: swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &replicas}},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &swarm.ContainerSpec{Image: "swarmtop/standin:1", Args: []string{role}, Env: env},
			RestartPolicy: &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionAny, Delay: &delay},
		},
	}
}

func rwHealthcheck() *container.HealthConfig {
	return &container.HealthConfig{
		Test:     []string{"CMD", "/standin", "health"},
		Interval: time.Second,
		Timeout:  2 * time.Second,
		Retries:  1,
	}
}

func rwCreate(t *testing.T, e *sw.Engine, specs ...swarm.ServiceSpec) []string {
	t.Helper()
	var ids []string
	for _, spec := range specs {
		res, err := e.Client().ServiceCreate(context.Background(), client.ServiceCreateOptions{Spec: spec})
		if err != nil {
			t.Fatalf("create %s: %v", spec.Name, err)
		}
		ids = append(ids, res.ID)
	}
	return ids
}

// rwWaitSnapshot reads the stack until ok accepts it, and fails with the
// last read when the engine never gets there.
func rwWaitSnapshot(t *testing.T, e *sw.Engine, stack string, timeout time.Duration, ok func(sw.Snapshot) bool) sw.Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last sw.Snapshot
	for ctx.Err() == nil {
		snap, err := e.ReadStack(ctx, stack)
		if err != nil && ctx.Err() == nil {
			t.Fatalf("read stack: %v", err)
		}
		if err == nil {
			if ok(snap) {
				return snap
			}
			last = snap
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("stack never got there in %s; last read:\n%s", timeout, rwDump(last))
	return sw.Snapshot{}
}

func rwDump(s sw.Snapshot) string {
	var b strings.Builder
	for _, sv := range s.Services {
		fmt.Fprintf(&b, "  %s %d/%d update=%q health=%s converged=%v\n", sv.Name, sv.Running, sv.Desired, sv.UpdateState, sv.Health, sv.Converged)
	}
	for _, tk := range s.Tasks {
		fmt.Fprintf(&b, "    %s.%d %s→%s current=%v health=%s exit=%d err=%q\n", tk.Service, tk.Slot, tk.State, tk.DesiredState, tk.Current, tk.Health, tk.ExitCode, tk.Err)
	}
	return b.String()
}

func rwNode(t *testing.T, nodes []sw.Node, id string) sw.Node {
	t.Helper()
	for _, n := range nodes {
		if n.ID == id {
			return n
		}
	}
	t.Fatalf("node %s not in %+v", id, nodes)
	return sw.Node{}
}

// TestReadStackMatchesClientLists reads a running stack through ReadStack's
// raw lists and through the moby client's fully decoded ones: the snapshots
// must be the same, specs included.
func TestReadStackMatchesClientLists(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t)
	stack := enginetest.Stack(t, e)
	web := rwSpec(stack, "web", 2, "web")
	web.TaskTemplate.ContainerSpec.Healthcheck = rwHealthcheck()
	rwCreate(t, e, web, rwSpec(stack, "worker", 1, "celery-worker"))
	rwWaitSnapshot(t, e, stack, 60*time.Second, func(s sw.Snapshot) bool {
		return len(s.Services) == 2 && s.Services[0].Converged && s.Services[0].Health == sw.HealthHealthy && s.Services[1].Converged
	})

	// A task can change between the two reads (a healthcheck result, a
	// timestamp): try a few times.
	var got, want sw.Snapshot
	for range 5 {
		got, want = rwReadBothWays(t, e, stack)
		if reflect.DeepEqual(got, want) {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Errorf("ReadStack:\n%s\nclient lists:\n%s", rwDump(got), rwDump(want))
}

func rwReadBothWays(t *testing.T, e *sw.Engine, stack string) (got, want sw.Snapshot) {
	t.Helper()
	ctx := context.Background()
	got, err := e.ReadStack(ctx, stack)
	if err != nil {
		t.Fatal(err)
	}
	filter := make(client.Filters).Add("label", enginetest.NamespaceLabel+"="+stack)
	services, err := e.Client().ServiceList(ctx, client.ServiceListOptions{Filters: filter, Status: true})
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := e.Client().TaskList(ctx, client.TaskListOptions{Filters: filter})
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := e.Client().NodeList(ctx, client.NodeListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return got, sw.BuildSnapshot(stack, services.Items, tasks.Items, nodes.Items, got.Taken)
}

// nodeID is the swarm ID of the node e talks to, read from /info: Connect
// no longer reads /info for a manager.
func nodeID(t *testing.T, e *sw.Engine) string {
	t.Helper()
	res, err := e.Client().Info(context.Background(), client.InfoOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Info.Swarm.NodeID
}
