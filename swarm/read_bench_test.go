package swarm

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
)

// The team's budget: 1,000 services and 10,000 tasks decoded from the
// engine's JSON and modelled in ≤ 20 ms and ≤ 150 MB, on the read path's
// decoders (decode.go). The JSON is what Engine 20.10.24 answered for the
// example stack (testdata/engine-20.10), copied out to that size by
// recordedEngineJSON.
func BenchmarkBuildSnapshot(b *testing.B) {
	benchDecodeAndBuild(b, decodeFast)
}

// BenchmarkBuildSnapshotFullTypes is the same with the moby client's
// decoding (encoding/json into the full API types), the read path before
// decode.go: the figure to beat.
func BenchmarkBuildSnapshotFullTypes(b *testing.B) {
	benchDecodeAndBuild(b, decodeFullTypes)
}

// benchDecodeAndBuild decodes the generated engine JSON of 1,000 services
// and 10,000 tasks with decode and models it, each iteration.
func benchDecodeAndBuild(b *testing.B, decode func(tb testing.TB, servicesJSON, tasksJSON, nodesJSON []byte) ([]swarm.Service, []swarm.Task, []swarm.Node)) {
	b.Helper()
	servicesJSON, tasksJSON, nodesJSON := recordedEngineJSON(b, 1000, 10)
	b.SetBytes(int64(len(servicesJSON) + len(tasksJSON) + len(nodesJSON)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		services, tasks, nodes := decode(b, servicesJSON, tasksJSON, nodesJSON)
		snap := BuildSnapshot("shop", services, tasks, nodes, readTestNow)
		if len(snap.Tasks) != len(tasks) {
			b.Fatalf("%d tasks modelled, want %d", len(snap.Tasks), len(tasks))
		}
	}
}

// decodeFullTypes decodes the three lists the way the moby client does.
func decodeFullTypes(tb testing.TB, servicesJSON, tasksJSON, nodesJSON []byte) ([]swarm.Service, []swarm.Task, []swarm.Node) {
	tb.Helper()
	var services []swarm.Service
	var tasks []swarm.Task
	var nodes []swarm.Node
	for _, d := range []struct {
		data []byte
		into any
	}{{servicesJSON, &services}, {tasksJSON, &tasks}, {nodesJSON, &nodes}} {
		if err := json.Unmarshal(d.data, d.into); err != nil {
			tb.Fatal(err)
		}
	}
	return services, tasks, nodes
}

// decodeFast decodes the three lists as ReadStack does: at once.
func decodeFast(tb testing.TB, servicesJSON, tasksJSON, nodesJSON []byte) ([]swarm.Service, []swarm.Task, []swarm.Node) {
	tb.Helper()
	var services []swarm.Service
	var tasks []swarm.Task
	var nodes []swarm.Node
	err := inParallel(
		func() (err error) { services, err = decodeServices(servicesJSON); return err },
		func() (err error) { tasks, err = decodeTasks(tasksJSON); return err },
		func() (err error) { nodes, err = decodeNodes(nodesJSON); return err },
	)
	if err != nil {
		tb.Fatal(err)
	}
	return services, tasks, nodes
}

// BenchmarkBuildSnapshotModelOnly is the model without the decoding, to
// tell the two costs apart.
func BenchmarkBuildSnapshotModelOnly(b *testing.B) {
	servicesJSON, tasksJSON, nodesJSON := recordedEngineJSON(b, 1000, 10)
	services, tasks, nodes := decodeFast(b, servicesJSON, tasksJSON, nodesJSON)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		BuildSnapshot("shop", services, tasks, nodes, readTestNow)
	}
}

// BenchmarkReadStackOverSocket is the read path whole, from a fake engine
// on a unix socket: requests, bodies, decoding and model.
func BenchmarkReadStackOverSocket(b *testing.B) {
	f := &fakeEngine{}
	f.services, f.tasks, f.nodes = recordedEngineJSON(b, 1000, 10)
	e := fakeEngineClient(b, f)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.ReadStack(context.Background(), "shop"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadStackOverSocketMobyClient is the same through the moby
// client's list calls, as ReadStack read before decode_fetch.go.
func BenchmarkReadStackOverSocketMobyClient(b *testing.B) {
	f := &fakeEngine{}
	f.services, f.tasks, f.nodes = recordedEngineJSON(b, 1000, 10)
	e := fakeEngineClient(b, f)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		services, err := e.api.ServiceList(ctx, client.ServiceListOptions{Filters: stackFilter("shop"), Status: true})
		if err != nil {
			b.Fatal(err)
		}
		tasks, err := e.api.TaskList(ctx, client.TaskListOptions{Filters: stackFilter("shop")})
		if err != nil {
			b.Fatal(err)
		}
		nodes, err := e.api.NodeList(ctx, client.NodeListOptions{})
		if err != nil {
			b.Fatal(err)
		}
		BuildSnapshot("shop", services.Items, tasks.Items, nodes.Items, time.Now())
	}
}

// benchEngineJSON makes the three list responses: each service has
// tasks/services slots, and half of each slot's tasks are history (the
// engine keeps up to 5 per slot), some of them failures.
func benchEngineJSON(tb testing.TB, nServices, nTasks, nNodes int) (services, tasks, nodes []byte) {
	tb.Helper()
	var nodeList []swarm.Node
	for i := range nNodes {
		nodeList = append(nodeList, readTestNode(fmt.Sprintf("node%025d", i), fmt.Sprintf("node-%d", i), i == 0))
	}
	perService := nTasks / nServices
	var serviceList []swarm.Service
	var taskList []swarm.Task
	for i := range nServices {
		svc := benchService(i, uint64(perService/2))
		serviceList = append(serviceList, svc)
		for j := range perService {
			taskList = append(taskList, benchTask(svc, j, nodeList[j%nNodes].ID))
		}
	}
	must := func(v any) []byte {
		data, err := json.Marshal(v)
		if err != nil {
			tb.Fatal(err)
		}
		return data
	}
	return must(serviceList), must(taskList), must(nodeList)
}

func benchService(i int, replicas uint64) swarm.Service {
	svc := readTestService("big", fmt.Sprintf("svc%04d", i), replicas, replicas)
	svc.ID = fmt.Sprintf("service%018d", i)
	c := svc.Spec.TaskTemplate.ContainerSpec
	c.Args = []string{"web", "--workers", "4"}
	c.Env = []string{"DJANGO_SETTINGS_MODULE=shop.settings", "DATABASE_URL=postgres://db/shop", "RELEASE=42", "STANDIN_LOG_RATE=1"}
	c.Labels = map[string]string{NamespaceLabel: "big"}
	c.Healthcheck = &container.HealthConfig{Test: []string{"CMD", "/standin", "health"}, Interval: 5 * time.Second, Timeout: 2 * time.Second, Retries: 3}
	svc.Spec.TaskTemplate.Networks = []swarm.NetworkAttachmentConfig{{Target: "network0000000000000000000", Aliases: []string{"svc"}}}
	svc.Spec.TaskTemplate.Placement = &swarm.Placement{Platforms: []swarm.Platform{{Architecture: "amd64", OS: "linux"}}}
	svc.Spec.EndpointSpec = &swarm.EndpointSpec{Mode: swarm.ResolutionModeVIP}
	svc.UpdateStatus = &swarm.UpdateStatus{State: swarm.UpdateStateCompleted, Message: "update completed"}
	return svc
}

// benchTask makes task j of a service: even j run, odd j are history,
// every fourth history task a failure.
func benchTask(svc swarm.Service, j int, node string) swarm.Task {
	id := fmt.Sprintf("%s%07d", svc.ID, j)
	slot := j/2 + 1
	t := readTestTask(id, svc, slot, swarm.TaskStateRunning, swarm.TaskStateRunning, time.Hour)
	t.NodeID = node
	t.Labels = map[string]string{}
	t.Status.Message = "started"
	t.Status.ContainerStatus.PID = 4242
	t.NetworksAttachments = []swarm.NetworkAttachment{{
		Network: swarm.Network{
			ID: "network0000000000000000000",
			Spec: swarm.NetworkSpec{
				Annotations:         swarm.Annotations{Name: "big_default", Labels: map[string]string{NamespaceLabel: "big"}},
				DriverConfiguration: &swarm.Driver{Name: "overlay"},
				Scope:               "swarm",
			},
			DriverState: swarm.Driver{Name: "overlay", Options: map[string]string{"com.docker.network.driver.overlay.vxlanid_list": "4097"}},
		},
		Addresses: []netip.Prefix{netip.MustParsePrefix("10.0.1.17/24")},
	}}
	if j%2 == 1 {
		t.DesiredState = swarm.TaskStateShutdown
		t.Status.State = swarm.TaskStateShutdown
		t.Status.Timestamp = readTestAgo(2 * time.Hour)
		t.Meta.CreatedAt = readTestAgo(3 * time.Hour)
		if j%4 == 3 {
			t.Status.State = swarm.TaskStateFailed
			t.Status.Err = "task: non-zero exit (1)"
			t.Status.ContainerStatus.ExitCode = 1
		}
	}
	return t
}
