package fakebe

import (
	"time"

	"github.com/swarmtop/swarmtop/swarm"
)

func u64(n uint64) *uint64 { return &n }

// Shop is a stack like examples/django with demo.yml: mostly healthy, one
// service failing with a long error, one job done.
func Shop() swarm.Snapshot {
	ago := func(d time.Duration) time.Time { return Now.Add(-d) }
	svc := func(name, mode, image string, running, desired uint64, h swarm.Health, conv bool) swarm.Service {
		s := swarm.Service{ID: "id-" + name, Name: name, FullName: "shop_" + name, Stack: "shop", Mode: mode,
			Image: image, Running: running, Desired: desired, Health: h, Converged: conv, HasPreviousSpec: true}
		if mode == swarm.ModeReplicated || mode == swarm.ModeReplicatedJob {
			s.Replicas = u64(desired)
		}
		return s
	}
	web := svc("web", swarm.ModeReplicated, "registry.example.com/shop/web:1.4.2", 2, 2, swarm.HealthHealthy, true)
	web.Ports = []string{"8080:8000/tcp"}
	nginx := svc("nginx", swarm.ModeReplicated, "nginx:1.27-alpine", 1, 1, swarm.HealthNone, true)
	nginx.Ports = []string{"80:80/tcp"}
	worker := svc("celery-worker", swarm.ModeReplicated, "registry.example.com/shop/web:1.4.2", 1, 2, swarm.HealthFailing, false)
	beat := svc("celery-beat", swarm.ModeReplicated, "registry.example.com/shop/web:1.4.2", 1, 1, swarm.HealthNone, true)
	migrate := svc("migrate", swarm.ModeReplicatedJob, "registry.example.com/shop/web:1.4.2", 0, 1, swarm.HealthNone, true)
	migrate.Completed = 1
	task := func(s swarm.Service, slot int, state, desired string, since time.Duration, current bool) swarm.Task {
		return swarm.Task{ID: s.Name + "-task-" + state + string(rune('0'+slot)), ServiceID: s.ID, Service: s.Name, Slot: slot,
			NodeID: "n1", Node: "manager-1", State: state, DesiredState: desired, Since: ago(since),
			Image: s.Image, Current: current}
	}
	failed := task(worker, 2, "rejected", "shutdown", 40*time.Second, true)
	failed.Failed, failed.Health = true, swarm.HealthFailing
	failed.Err = "No such image: registry.example.com/shop/web:1.4.2-missing-tag (pull access denied, repository does not exist or may require 'docker login')"
	old := task(worker, 2, "failed", "shutdown", 3*time.Minute, false)
	old.Err, old.Failed, old.ExitCode = "task: non-zero exit (1)", true, 1
	return swarm.Snapshot{
		Stack:    "shop",
		Services: []swarm.Service{beat, worker, migrate, nginx, web},
		Tasks: []swarm.Task{
			task(beat, 1, "running", "running", 2*time.Hour, true),
			task(worker, 1, "running", "running", 2*time.Hour, true),
			failed, old,
			task(migrate, 1, "complete", "complete", 2*time.Hour, true),
			task(nginx, 1, "running", "running", 5*time.Minute, true),
			task(web, 1, "running", "running", 2*time.Hour, true),
			task(web, 2, "running", "running", 90*time.Second, true),
		},
		Nodes: []swarm.Node{{ID: "n1", Hostname: "manager-1", Role: "manager", Availability: "active",
			Status: "ready", EngineVersion: "29.0.1", Leader: true, Tasks: 6}},
		Taken: Now,
	}
}
