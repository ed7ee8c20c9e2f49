package swarm

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/swarm"
)

// The team's budget: 1,000 services and 10,000 tasks decoded from the
// engine's JSON and modelled in ≤ 20 ms and ≤ 150 MB. The JSON is generated
// here, shaped like what Engine 20.10 returns for a stack (spec, status,
// one overlay network attachment), so no recorded blob is committed.
func BenchmarkBuildSnapshot(b *testing.B) {
	servicesJSON, tasksJSON, nodesJSON := benchEngineJSON(b, 1000, 10000, 5)
	b.SetBytes(int64(len(servicesJSON) + len(tasksJSON) + len(nodesJSON)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		var services []swarm.Service
		var tasks []swarm.Task
		var nodes []swarm.Node
		for _, d := range []struct {
			data []byte
			into any
		}{{servicesJSON, &services}, {tasksJSON, &tasks}, {nodesJSON, &nodes}} {
			if err := json.Unmarshal(d.data, d.into); err != nil {
				b.Fatal(err)
			}
		}
		snap := BuildSnapshot("big", services, tasks, nodes, readTestNow)
		if len(snap.Tasks) != len(tasks) {
			b.Fatalf("%d tasks modelled, want %d", len(snap.Tasks), len(tasks))
		}
	}
}

// BenchmarkBuildSnapshotModelOnly is the model without the decoding, to
// tell the two costs apart.
func BenchmarkBuildSnapshotModelOnly(b *testing.B) {
	servicesJSON, tasksJSON, nodesJSON := benchEngineJSON(b, 1000, 10000, 5)
	var services []swarm.Service
	var tasks []swarm.Task
	var nodes []swarm.Node
	if json.Unmarshal(servicesJSON, &services) != nil || json.Unmarshal(tasksJSON, &tasks) != nil || json.Unmarshal(nodesJSON, &nodes) != nil {
		b.Fatal("decode")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		BuildSnapshot("big", services, tasks, nodes, readTestNow)
	}
}

// benchEngineJSON makes the three list responses: each service has
// tasks/services slots, and half of each slot's tasks are history (the
// engine keeps up to 5 per slot), some of them failures.
func benchEngineJSON(b *testing.B, nServices, nTasks, nNodes int) (services, tasks, nodes []byte) {
	b.Helper()
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
			b.Fatal(err)
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
