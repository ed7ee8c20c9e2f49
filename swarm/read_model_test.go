package swarm

import (
	"slices"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

func TestBuildSnapshotServicesTasksNodes(t *testing.T) {
	web := readTestService("shop", "web", 2, 2)
	web.Spec.TaskTemplate.ContainerSpec.Healthcheck = readTestHealthcheck()
	web.Endpoint.Ports = []swarm.PortConfig{{Protocol: "tcp", TargetPort: 8000, PublishedPort: 80}}
	web.UpdateStatus = &swarm.UpdateStatus{State: swarm.UpdateStateCompleted, Message: "update completed"}
	web.PreviousSpec = &swarm.ServiceSpec{}
	worker := readTestService("shop", "worker", 1, 1)
	running, shutdown := swarm.TaskStateRunning, swarm.TaskStateShutdown

	tasks := []swarm.Task{
		readTestTask("w1", worker, 1, running, running, time.Hour),
		readTestTask("a2", web, 2, running, running, time.Hour),
		readTestTask("a1-old", web, 1, shutdown, shutdown, 2*time.Hour),
		readTestTask("a1", web, 1, running, running, time.Hour),
	}
	tasks[0].NodeID = "node2"
	nodes := []swarm.Node{readTestNode("node2", "beta", false), readTestNode("node1", "alpha", true)}

	// Services arrive unsorted; the model sorts them.
	snap := BuildSnapshot("shop", []swarm.Service{worker, web}, tasks, nodes, readTestNow)

	if !snap.Taken.Equal(readTestNow) || snap.Stack != "shop" {
		t.Errorf("stack %q taken %v", snap.Stack, snap.Taken)
	}
	if names := serviceNames(snap); !slices.Equal(names, []string{"web", "worker"}) {
		t.Fatalf("services %v, want [web worker]", names)
	}
	s := snap.Services[0]
	checks := []struct {
		what      string
		got, want any
	}{
		{"full name", s.FullName, "shop_web"},
		{"image without digest", s.Image, "swarmtop/standin:1"},
		{"mode", s.Mode, "replicated"},
		{"running/desired", [2]uint64{s.Running, s.Desired}, [2]uint64{2, 2}},
		{"replicas", *s.Replicas, uint64(2)},
		{"ports", s.Ports, []string{"80:8000/tcp"}},
		{"update", s.UpdateState + ": " + s.UpdateMessage, "completed: update completed"},
		{"version", s.Version, uint64(10)},
		{"previous spec", s.HasPreviousSpec, true},
		{"health", s.Health, HealthHealthy},
		{"converged", s.Converged, true},
		{"worker health (no healthcheck)", snap.Services[1].Health, HealthNone},
	}
	for _, c := range checks {
		if !equalAny(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}

	wantTasks := []string{"a1 web.1 current alpha", "a1-old web.1 history alpha", "a2 web.2 current alpha", "w1 worker.1 current beta"}
	if got := taskLines(snap); !slices.Equal(got, wantTasks) {
		t.Errorf("tasks:\n got %q\nwant %q", got, wantTasks)
	}
	if got := snap.Tasks[0]; got.Image != "swarmtop/standin:1" || got.ContainerID != "c-a1" || !got.Since.Equal(readTestAgo(time.Hour)) {
		t.Errorf("task a1 = %+v", got)
	}

	if len(snap.Nodes) != 2 || snap.Nodes[0].Hostname != "alpha" || !snap.Nodes[0].Leader || snap.Nodes[0].Tasks != 2 || snap.Nodes[1].Tasks != 1 {
		t.Errorf("nodes = %+v", snap.Nodes)
	}
}

func TestBuildSnapshotCrashLoop(t *testing.T) {
	worker := readTestService("shop", "worker", 1, 0)
	tasks := []swarm.Task{
		readTestFailed("f3", worker, 1, 4*time.Second, 1, "task: non-zero exit (1)"),
		readTestFailed("f1", worker, 1, 20*time.Second, 1, "task: non-zero exit (1)"),
		readTestTask("next", worker, 1, swarm.TaskStateReady, swarm.TaskStateReady, time.Second),
		readTestFailed("f2", worker, 1, 12*time.Second, 1, "task: non-zero exit (1)"),
	}
	snap := BuildSnapshot("shop", []swarm.Service{worker}, tasks, nil, readTestNow)

	if got := taskLines(snap); !slices.Equal(got, []string{
		"next worker.1 current node1", "f3 worker.1 history node1", "f2 worker.1 history node1", "f1 worker.1 history node1",
	}) {
		t.Errorf("tasks %q", got)
	}
	if h := snap.Tasks[0].Health; h != HealthRestarting {
		t.Errorf("current task health %s, want restarting", h)
	}
	if h := snap.Tasks[1].Health; h != HealthFailing {
		t.Errorf("failed task health %s, want failing", h)
	}
	if s := snap.Services[0]; s.Health != HealthRestarting || s.Converged {
		t.Errorf("service health %s converged %v, want restarting, false", s.Health, s.Converged)
	}
	failures := snap.Failures()
	if len(failures) != 1 || failures[0].Task.ID != "f3" || failures[0].Count != 3 || failures[0].Task.ExitCode != 1 {
		t.Errorf("failures = %+v", failures)
	}
}

func TestBuildSnapshotEdgeCases(t *testing.T) {
	running := swarm.TaskStateRunning
	tests := []struct {
		name        string
		service     func() swarm.Service
		tasks       func(swarm.Service) []swarm.Task
		wantHealth  Health
		wantCounts  [3]uint64 // running, desired, completed
		wantConv    bool
		wantCurrent []bool
		wantFailing int
	}{{
		name:    "status missing: counted from tasks",
		service: func() swarm.Service { s := readTestService("shop", "web", 2, 0); s.ServiceStatus = nil; return s },
		tasks: func(s swarm.Service) []swarm.Task {
			return []swarm.Task{readTestTask("a", s, 1, running, running, time.Minute),
				readTestTask("b", s, 2, swarm.TaskStatePreparing, running, time.Second)}
		},
		wantHealth: HealthStarting, wantCounts: [3]uint64{1, 2, 0}, wantCurrent: []bool{true, true},
	}, {
		name:    "dead slot: restart policy gave up",
		service: func() swarm.Service { return readTestService("shop", "once", 1, 0) },
		tasks: func(s swarm.Service) []swarm.Task {
			return []swarm.Task{readTestFailed("x", s, 1, time.Hour, 3, "task: non-zero exit (3)")}
		},
		wantHealth: HealthFailing, wantCounts: [3]uint64{0, 1, 0}, wantCurrent: []bool{true}, wantFailing: 1,
	}, {
		name:    "old failure recovered from",
		service: func() swarm.Service { return readTestService("shop", "web", 1, 1) },
		tasks: func(s swarm.Service) []swarm.Task {
			return []swarm.Task{readTestTask("ok", s, 1, running, running, 10*time.Minute),
				readTestFailed("x", s, 1, 11*time.Minute, 1, "task: non-zero exit (1)")}
		},
		wantHealth: HealthNone, wantCounts: [3]uint64{1, 1, 0}, wantConv: true, wantCurrent: []bool{true, false},
	}, {
		name: "update in progress is not converged",
		service: func() swarm.Service {
			s := readTestService("shop", "web", 1, 1)
			s.UpdateStatus = &swarm.UpdateStatus{State: swarm.UpdateStateUpdating}
			return s
		},
		tasks: func(s swarm.Service) []swarm.Task {
			return []swarm.Task{readTestTask("a", s, 1, running, running, time.Minute)}
		},
		wantHealth: HealthNone, wantCounts: [3]uint64{1, 1, 0}, wantCurrent: []bool{true},
	}, {
		name: "global service: one slot per node",
		service: func() swarm.Service {
			s := readTestService("shop", "agent", 0, 2)
			s.Spec.Mode = swarm.ServiceMode{Global: &swarm.GlobalService{}}
			s.ServiceStatus.DesiredTasks = 2
			return s
		},
		tasks: func(s swarm.Service) []swarm.Task {
			a := readTestTask("a", s, 0, running, running, time.Minute)
			b := readTestTask("b", s, 0, running, running, time.Minute)
			old := readTestTask("old", s, 0, swarm.TaskStateShutdown, swarm.TaskStateShutdown, time.Hour)
			b.NodeID, old.NodeID = "node2", "node2"
			return []swarm.Task{old, b, a}
		},
		wantHealth: HealthNone, wantCounts: [3]uint64{2, 2, 0}, wantConv: true, wantCurrent: []bool{true, true, false},
	}, {
		name: "finished job",
		service: func() swarm.Service {
			s := readTestService("shop", "migrate", 0, 0)
			one := uint64(1)
			s.Spec.Mode = swarm.ServiceMode{ReplicatedJob: &swarm.ReplicatedJob{TotalCompletions: &one}}
			s.ServiceStatus = &swarm.ServiceStatus{DesiredTasks: 0, CompletedTasks: 1}
			return s
		},
		tasks: func(s swarm.Service) []swarm.Task {
			j := readTestTask("j", s, 0, swarm.TaskStateComplete, swarm.TaskStateComplete, time.Minute)
			j.JobIteration = &swarm.Version{}
			return []swarm.Task{j}
		},
		wantHealth: HealthNone, wantCounts: [3]uint64{0, 0, 1}, wantConv: true, wantCurrent: []bool{true},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := tt.service()
			nodes := []swarm.Node{readTestNode("node1", "alpha", true), readTestNode("node2", "beta", false)}
			snap := BuildSnapshot("shop", []swarm.Service{svc}, tt.tasks(svc), nodes, readTestNow)
			s := snap.Services[0]
			if s.Health != tt.wantHealth || s.Converged != tt.wantConv {
				t.Errorf("health %s converged %v, want %s %v", s.Health, s.Converged, tt.wantHealth, tt.wantConv)
			}
			if got := [3]uint64{s.Running, s.Desired, s.Completed}; got != tt.wantCounts {
				t.Errorf("running/desired/completed %v, want %v", got, tt.wantCounts)
			}
			var current []bool
			for _, tk := range snap.Tasks {
				current = append(current, tk.Current)
			}
			if !slices.Equal(current, tt.wantCurrent) {
				t.Errorf("current %v, want %v (tasks %q)", current, tt.wantCurrent, taskLines(snap))
			}
			if n := len(snap.Failures()); n != tt.wantFailing {
				t.Errorf("%d failing slots, want %d", n, tt.wantFailing)
			}
		})
	}
}

func TestBuildSnapshotUnknownNodeAndService(t *testing.T) {
	web := readTestService("shop", "web", 1, 1)
	tk := readTestTask("a", web, 1, swarm.TaskStateRunning, swarm.TaskStateRunning, time.Minute)
	tk.NodeID = "gone"
	orphan := tk
	orphan.ID, orphan.ServiceID = "b", "svc-removed"
	snap := BuildSnapshot("shop", []swarm.Service{web}, []swarm.Task{orphan, tk}, nil, readTestNow)
	if got := taskLines(snap); !slices.Equal(got, []string{"a web.1 current gone", "b svc-removed.1 current gone"}) {
		t.Errorf("tasks %q", got)
	}
}

func TestBuildSnapshotLeavesInputAlone(t *testing.T) {
	web := readTestService("shop", "web", 1, 1)
	web.ServiceStatus = nil
	services := []swarm.Service{web}
	BuildSnapshot("shop", services, nil, nil, readTestNow)
	if services[0].ServiceStatus != nil {
		t.Error("BuildSnapshot filled ServiceStatus in the caller's slice")
	}
}

func TestFingerprintIgnoresTakenOnly(t *testing.T) {
	web := readTestService("shop", "web", 1, 1)
	tasks := []swarm.Task{readTestTask("a", web, 1, swarm.TaskStateRunning, swarm.TaskStateRunning, time.Minute)}
	nodes := []swarm.Node{readTestNode("node1", "alpha", true)}
	a := BuildSnapshot("shop", []swarm.Service{web}, tasks, nodes, readTestNow)
	b := BuildSnapshot("shop", []swarm.Service{web}, tasks, nodes, readTestNow.Add(time.Second))
	if a.Fingerprint() != b.Fingerprint() {
		t.Error("fingerprint changed with Taken alone")
	}
	changes := map[string]func(*Snapshot){
		"task state":    func(s *Snapshot) { s.Tasks[0].State = "failed" },
		"task error":    func(s *Snapshot) { s.Tasks[0].Err = "boom" },
		"running count": func(s *Snapshot) { s.Services[0].Running = 0 },
		"update state":  func(s *Snapshot) { s.Services[0].UpdateState = "updating" },
		"node drained":  func(s *Snapshot) { s.Nodes[0].Availability = "drain" },
		"health":        func(s *Snapshot) { s.Services[0].Health = HealthUnhealthy },
		"image":         func(s *Snapshot) { s.Services[0].Image = "swarmtop/standin:2" },
		"version":       func(s *Snapshot) { s.Services[0].Version++ },
		"port added":    func(s *Snapshot) { s.Services[0].Ports = append(s.Services[0].Ports, "80:8000/tcp") },
		"converged":     func(s *Snapshot) { s.Services[0].Converged = !s.Services[0].Converged },
		"task current":  func(s *Snapshot) { s.Tasks[0].Current = !s.Tasks[0].Current },
		"task health":   func(s *Snapshot) { s.Tasks[0].Health = HealthFailing },
		"task exit":     func(s *Snapshot) { s.Tasks[0].ExitCode = 137 },
		"node tasks":    func(s *Snapshot) { s.Nodes[0].Tasks++ },
		"node leader":   func(s *Snapshot) { s.Nodes[0].Leader = !s.Nodes[0].Leader },
		"node gone":     func(s *Snapshot) { s.Nodes = nil },
	}
	for name, change := range changes {
		c := BuildSnapshot("shop", []swarm.Service{web}, tasks, nodes, readTestNow)
		change(&c)
		if c.Fingerprint() == a.Fingerprint() {
			t.Errorf("fingerprint missed a change of %s", name)
		}
	}
}

// A service's ports are counted into the fingerprint: without the count,
// enough empty ports hash like the zero fields of one more service.
func TestFingerprintKeepsListsApart(t *testing.T) {
	two := Snapshot{Services: []Service{{}, {}}}
	for n := range 40 {
		one := Snapshot{Services: []Service{{Ports: make([]string, n)}}}
		if one.Fingerprint() == two.Fingerprint() {
			t.Errorf("a service with %d empty ports fingerprints like two services", n)
		}
	}
}

// Each list is counted too: otherwise three tasks of zero values hash like
// four such nodes.
func TestFingerprintKeepsTasksFromNodes(t *testing.T) {
	for n := range 20 {
		for m := range 20 {
			tasks := Snapshot{Tasks: make([]Task, n)}
			for i := range tasks.Tasks {
				tasks.Tasks[i].Since = time.Unix(0, 0) // all zero bytes, as a node's
			}
			nodes := Snapshot{Nodes: make([]Node, m)}
			if (n != 0 || m != 0) && tasks.Fingerprint() == nodes.Fingerprint() {
				t.Errorf("%d zero tasks fingerprint like %d zero nodes", n, m)
			}
		}
	}
}

func serviceNames(s Snapshot) []string {
	var out []string
	for _, sv := range s.Services {
		out = append(out, sv.Name)
	}
	return out
}

// taskLines renders tasks as "id service.slot current|history node".
func taskLines(s Snapshot) []string {
	var out []string
	for _, tk := range s.Tasks {
		kind := "history"
		if tk.Current {
			kind = "current"
		}
		out = append(out, tk.ID+" "+slotName(tk)+" "+kind+" "+tk.Node)
	}
	return out
}

func equalAny(got, want any) bool {
	if g, ok := got.([]string); ok {
		w, _ := want.([]string)
		return slices.Equal(g, w)
	}
	return got == want
}
