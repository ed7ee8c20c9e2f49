package swarm

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/swarm"
)

// The fast read path must model a stack exactly as the moby client's full
// decoding does. These tests decode the same JSON both ways and compare.

func TestDecodeModelsLikeFullTypes(t *testing.T) {
	stacks := map[string]func(testing.TB) (services, tasks, nodes []byte){
		"varied stack":              variedStackJSON,
		"300 services, 3,000 tasks": func(tb testing.TB) ([]byte, []byte, []byte) { return benchEngineJSON(tb, 300, 3000, 5) },
	}
	for name, lists := range stacks {
		t.Run(name, func(t *testing.T) {
			servicesJSON, tasksJSON, nodesJSON := lists(t)
			services, tasks, nodes := decodeFullTypes(t, servicesJSON, tasksJSON, nodesJSON)
			fastServices, fastTasks, fastNodes := decodeFast(t, servicesJSON, tasksJSON, nodesJSON)

			if !reflect.DeepEqual(fastServices, services) {
				t.Errorf("services decode differently:\n got %+v\nwant %+v", fastServices, services)
			}
			if !reflect.DeepEqual(fastNodes, nodes) {
				t.Errorf("nodes decode differently:\n got %+v\nwant %+v", fastNodes, nodes)
			}
			want := BuildSnapshot("shop", services, tasks, nodes, readTestNow)
			got := BuildSnapshot("shop", fastServices, fastTasks, fastNodes, readTestNow)
			if diff := snapshotDiff(got, want); diff != "" {
				t.Error(diff)
			}
			// Stacks and Nodes read the same lists through other paths.
			wantStacks := summarizeStacks(withStatusFromTasks(services, tasks))
			if got := summarizeStacks(withStatusFromTasks(fastServices, fastTasks)); !reflect.DeepEqual(got, wantStacks) {
				t.Errorf("stacks %+v, want %+v", got, wantStacks)
			}
			if got, want := buildNodes(fastNodes, fastTasks), buildNodes(nodes, tasks); !reflect.DeepEqual(got, want) {
				t.Errorf("nodes %+v, want %+v", got, want)
			}
		})
	}
}

// TestDecodeTasksKeepsTheModelsFields checks field by field that a slim
// task holds what the full decoding has in the fields decodeTasks promises.
func TestDecodeTasksKeepsTheModelsFields(t *testing.T) {
	_, tasksJSON, _ := variedStackJSON(t)
	var full []swarm.Task
	if err := json.Unmarshal(tasksJSON, &full); err != nil {
		t.Fatal(err)
	}
	slim, err := decodeTasks(tasksJSON)
	if err != nil {
		t.Fatal(err)
	}
	if len(slim) != len(full) {
		t.Fatalf("%d tasks decoded, want %d", len(slim), len(full))
	}
	for i := range full {
		if want := modelFields(full[i]); !reflect.DeepEqual(slim[i], want) {
			t.Errorf("task %s:\n got %s\nwant %s", full[i].ID, taskJSONText(slim[i]), taskJSONText(want))
		}
	}
}

func TestDecodeRejectsBadJSON(t *testing.T) {
	for _, data := range []string{`{"ID":"x"}`, `[{"ID":1}]`, `[{"ID":"x"`, `[{"ID":"x"}] [`, ``} {
		if _, err := decodeTasks([]byte(data)); err == nil {
			t.Errorf("decodeTasks(%s) gave no error", data)
		}
		if _, err := decodeServices([]byte(data)); err == nil {
			t.Errorf("decodeServices(%s) gave no error", data)
		}
	}
}

// modelFields is a fully decoded task cut down to what decodeTasks fills
// in. Empty container status and spec objects count as missing.
func modelFields(t swarm.Task) swarm.Task {
	out := swarm.Task{
		ID:           t.ID,
		Meta:         swarm.Meta{CreatedAt: t.CreatedAt},
		ServiceID:    t.ServiceID,
		Slot:         t.Slot,
		NodeID:       t.NodeID,
		DesiredState: t.DesiredState,
		JobIteration: t.JobIteration,
		Status:       swarm.TaskStatus{Timestamp: t.Status.Timestamp, State: t.Status.State, Err: t.Status.Err},
	}
	if cs := t.Status.ContainerStatus; cs != nil && *cs != (swarm.ContainerStatus{}) {
		out.Status.ContainerStatus = cs
	}
	if c := t.Spec.ContainerSpec; c != nil {
		spec := &swarm.ContainerSpec{Image: c.Image, TTY: c.TTY}
		if c.Healthcheck != nil && len(c.Healthcheck.Test) > 0 {
			spec.Healthcheck = &container.HealthConfig{Test: c.Healthcheck.Test}
		}
		if spec.Image != "" || spec.Healthcheck != nil || spec.TTY {
			out.Spec.ContainerSpec = spec
		}
	}
	return out
}

func taskJSONText(t swarm.Task) string {
	data, _ := json.Marshal(t)
	return string(data)
}

// snapshotDiff names the first service, task or node that differs.
func snapshotDiff(got, want Snapshot) string {
	if len(got.Services) != len(want.Services) || len(got.Tasks) != len(want.Tasks) || len(got.Nodes) != len(want.Nodes) {
		return fmt.Sprintf("got %d services, %d tasks, %d nodes; want %d, %d, %d",
			len(got.Services), len(got.Tasks), len(got.Nodes), len(want.Services), len(want.Tasks), len(want.Nodes))
	}
	for i := range want.Services {
		if !reflect.DeepEqual(got.Services[i], want.Services[i]) {
			return fmt.Sprintf("service %d:\n got %+v\nwant %+v", i, got.Services[i], want.Services[i])
		}
	}
	for i := range want.Tasks {
		if !reflect.DeepEqual(got.Tasks[i], want.Tasks[i]) {
			return fmt.Sprintf("task %d:\n got %+v\nwant %+v", i, got.Tasks[i], want.Tasks[i])
		}
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("snapshots differ:\n got %+v\nwant %+v", got, want)
	}
	return ""
}

// variedStackJSON is a small stack with one of each thing the model tells
// apart: global and job modes, a healthcheck, "NONE" and none, a missing
// ServiceStatus, host and ingress ports, virtual IPs, pending, rejected,
// crash-looping, unhealthy and completed tasks, a task of a removed service
// and one on a removed node.
func variedStackJSON(tb testing.TB) (services, tasks, nodes []byte) {
	tb.Helper()
	svcs, tks, nds := variedStack()
	must := func(v any) []byte {
		data, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		return data
	}
	return must(svcs), must(tks), must(nds)
}

func variedStack() ([]swarm.Service, []swarm.Task, []swarm.Node) {
	web := variedWeb()
	worker := readTestService("shop", "worker", 1, 0)
	worker.ServiceStatus = nil
	worker.Spec.TaskTemplate.ContainerSpec.Healthcheck = &container.HealthConfig{Test: []string{"NONE"}}
	agent := readTestService("shop", "agent", 0, 2)
	agent.Spec.Mode = swarm.ServiceMode{Global: &swarm.GlobalService{}}
	agent.Spec.TaskTemplate.ContainerSpec.TTY = true // its log stream is not framed
	agent.Spec.EndpointSpec = &swarm.EndpointSpec{Ports: []swarm.PortConfig{{TargetPort: 9100, PublishedPort: 9100, PublishMode: swarm.PortConfigPublishModeHost}}}
	migrate := readTestService("shop", "migrate", 0, 0)
	one := uint64(1)
	migrate.Spec.Mode = swarm.ServiceMode{ReplicatedJob: &swarm.ReplicatedJob{TotalCompletions: &one}}
	migrate.ServiceStatus = &swarm.ServiceStatus{CompletedTasks: 1}

	running, shutdown := swarm.TaskStateRunning, swarm.TaskStateShutdown
	pending := readTestTask("web-pending", web, 2, swarm.TaskStatePending, running, time.Second)
	pending.NodeID, pending.Status.ContainerStatus, pending.Status.Err = "", nil, "no suitable node (1 node not available)"
	unhealthy := readTestFailed("web-sick", web, 1, time.Minute, 137, "task: unhealthy container")
	exited := readTestTask("web-exit", web, 1, swarm.TaskStateComplete, shutdown, 2*time.Minute)
	rejected := readTestTask("worker-rejected", worker, 1, swarm.TaskStateRejected, shutdown, 5*time.Second)
	rejected.Status.Err, rejected.Status.ContainerStatus = "No such image: shop/worker:9", &swarm.ContainerStatus{}
	stopped := readTestTask("worker-stopped", worker, 1, shutdown, shutdown, time.Hour)
	stopped.Status.Err = "shutdown with an error"
	agentGone := readTestTask("agent-gone", agent, 0, running, running, time.Hour)
	agentGone.NodeID = "node-removed"
	job := readTestTask("migrate-1", migrate, 0, swarm.TaskStateComplete, swarm.TaskStateComplete, time.Minute)
	job.JobIteration = &swarm.Version{Index: 7}
	orphan := readTestTask("orphan", readTestService("shop", "removed", 1, 1), 1, running, running, time.Minute)
	noSpec := readTestTask("no-container", worker, 2, swarm.TaskStateNew, running, time.Second)
	noSpec.Spec.ContainerSpec, noSpec.Status.ContainerStatus = nil, nil
	tasks := []swarm.Task{
		readTestTask("web-1", web, 1, running, running, time.Minute), unhealthy, exited, pending,
		readTestTask("web-2-old", web, 2, running, shutdown, time.Hour),
		readTestFailed("worker-f1", worker, 1, 30*time.Second, 1, "task: non-zero exit (1)"),
		readTestFailed("worker-f2", worker, 1, 20*time.Second, 1, "task: non-zero exit (1)"),
		rejected, stopped, noSpec,
		readTestTask("agent-1", agent, 0, running, running, time.Hour), agentGone,
		job, orphan,
	}

	noName := readTestNode("node2", "", false)
	noName.Spec.Name = "spare"
	noName.Spec.Availability = swarm.NodeAvailabilityDrain
	nodes := []swarm.Node{readTestNode("node1", "alpha", true), noName}
	return []swarm.Service{worker, web, agent, migrate}, tasks, nodes
}

// variedWeb is a service with most of a spec filled in, so the full
// decoding of services is compared on more than names.
func variedWeb() swarm.Service {
	web := readTestService("shop", "web", 2, 1)
	delay, grace := 5*time.Second, 30*time.Second
	c := web.Spec.TaskTemplate.ContainerSpec
	c.Healthcheck = readTestHealthcheck()
	c.Env = []string{"RELEASE=42"}
	c.StopGracePeriod = &grace
	c.Mounts = []mount.Mount{{Type: mount.TypeVolume, Source: "shop_media", Target: "/media"}}
	c.DNSConfig = &swarm.DNSConfig{Nameservers: []netip.Addr{netip.MustParseAddr("10.0.0.2")}}
	web.Spec.TaskTemplate.RestartPolicy = &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionAny, Delay: &delay}
	web.Spec.UpdateConfig = &swarm.UpdateConfig{Parallelism: 1, Delay: delay, Order: swarm.UpdateOrderStartFirst}
	web.Spec.EndpointSpec = &swarm.EndpointSpec{Mode: swarm.ResolutionModeVIP, Ports: []swarm.PortConfig{{Protocol: "tcp", TargetPort: 8000}}}
	web.Endpoint = swarm.Endpoint{
		Spec:       *web.Spec.EndpointSpec,
		Ports:      []swarm.PortConfig{{Protocol: "tcp", TargetPort: 8000, PublishedPort: 30000, PublishMode: swarm.PortConfigPublishModeIngress}},
		VirtualIPs: []swarm.EndpointVirtualIP{{NetworkID: "ingress", Addr: netip.MustParsePrefix("10.0.0.5/24")}},
	}
	previous := web.Spec
	web.PreviousSpec = &previous
	web.UpdateStatus = &swarm.UpdateStatus{State: swarm.UpdateStatePaused, Message: "update paused due to failure"}
	web.Meta.CreatedAt, web.Meta.UpdatedAt = readTestAgo(24*time.Hour), readTestAgo(time.Hour)
	return web
}
