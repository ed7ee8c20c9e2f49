package swarm

import (
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/swarm"
)

// Hand-made engine objects for the read model's unit tests. Times are
// relative to readTestNow so ages and crash-loop windows are exact.

var readTestNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func readTestAgo(d time.Duration) time.Time { return readTestNow.Add(-d) }

func readTestService(stack, short string, replicas uint64, running uint64) swarm.Service {
	r := replicas
	return swarm.Service{
		ID:   "svc-" + short,
		Meta: swarm.Meta{Version: swarm.Version{Index: 10}},
		Spec: swarm.ServiceSpec{
			Annotations: swarm.Annotations{Name: stack + "_" + short, Labels: map[string]string{NamespaceLabel: stack}},
			Mode:        swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &r}},
			TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{
				Image: "swarmtop/standin:1@sha256:0123456789abcdef",
			}},
		},
		ServiceStatus: &swarm.ServiceStatus{RunningTasks: running, DesiredTasks: replicas},
	}
}

// readTestTask is one task of svc in slot; age is how long ago it was
// created and reached its state.
func readTestTask(id string, svc swarm.Service, slot int, state, desired swarm.TaskState, age time.Duration) swarm.Task {
	return swarm.Task{
		ID:           id,
		Meta:         swarm.Meta{CreatedAt: readTestAgo(age)},
		ServiceID:    svc.ID,
		Slot:         slot,
		NodeID:       "node1",
		Spec:         svc.Spec.TaskTemplate,
		DesiredState: desired,
		Status: swarm.TaskStatus{
			Timestamp:       readTestAgo(age),
			State:           state,
			ContainerStatus: &swarm.ContainerStatus{ContainerID: "c-" + id},
		},
	}
}

func readTestFailed(id string, svc swarm.Service, slot int, age time.Duration, exit int, err string) swarm.Task {
	t := readTestTask(id, svc, slot, swarm.TaskStateFailed, swarm.TaskStateShutdown, age)
	t.Status.Err = err
	t.Status.ContainerStatus.ExitCode = exit
	return t
}

func readTestNode(id, hostname string, leader bool) swarm.Node {
	n := swarm.Node{
		ID:          id,
		Spec:        swarm.NodeSpec{Role: swarm.NodeRoleManager, Availability: swarm.NodeAvailabilityActive},
		Description: swarm.NodeDescription{Hostname: hostname, Engine: swarm.EngineDescription{EngineVersion: "20.10.24"}},
		Status:      swarm.NodeStatus{State: swarm.NodeStateReady, Addr: "10.0.0.1"},
	}
	if leader {
		n.ManagerStatus = &swarm.ManagerStatus{Leader: true}
	}
	return n
}

func readTestHealthcheck() *container.HealthConfig {
	return &container.HealthConfig{Test: []string{"CMD", "/standin", "health"}, Interval: time.Second}
}
