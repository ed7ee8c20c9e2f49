package swarm

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

// BuildSnapshot turns the engine's lists into the read model. It is pure:
// now is the moment health is judged at (crash loops are counted within a
// window before it) and becomes Snapshot.Taken. The inputs are not
// modified. It is written to stay fast on big swarms (1,000 services,
// 10,000 tasks): one sort of the tasks, then one pass over them.
func BuildSnapshot(stack string, services []swarm.Service, tasks []swarm.Task, nodes []swarm.Node, now time.Time) Snapshot {
	if missingStatus(services) {
		services = withStatusFromTasks(services, tasks)
	}
	b := modelBuilder{now: now, raw: tasks}
	b.addServices(stack, services)
	b.addNodes(nodes, tasks)
	b.addTasks()
	b.finishServices()
	return Snapshot{Stack: stack, Services: b.services, Tasks: b.tasks, Nodes: b.nodes, Taken: now}
}

// modelBuilder holds the lookups one BuildSnapshot needs.
type modelBuilder struct {
	now       time.Time
	raw       []swarm.Task
	services  []Service
	serviceAt map[string]int // service ID → index in services
	worst     []Health       // per service: worst health of its current tasks
	active    []int          // per service: current tasks not yet ended (jobs)
	nodes     []Node
	hostname  map[string]string
	tasks     []Task
}

func (b *modelBuilder) addServices(stack string, services []swarm.Service) {
	b.services = make([]Service, len(services))
	for i := range services {
		b.services[i] = newService(stack, &services[i])
	}
	slices.SortFunc(b.services, func(x, y Service) int {
		return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.ID, y.ID))
	})
	b.serviceAt = make(map[string]int, len(services))
	for i, s := range b.services {
		b.serviceAt[s.ID] = i
	}
	b.worst = make([]Health, len(services))
	b.active = make([]int, len(services))
}

func newService(stack string, s *swarm.Service) Service {
	ns := s.Spec.Labels[NamespaceLabel]
	if ns == "" {
		ns = stack
	}
	out := Service{
		ID:              s.ID,
		Name:            ShortName(ns, s.Spec.Name),
		FullName:        s.Spec.Name,
		Stack:           ns,
		Mode:            modeName(s.Spec.Mode),
		Replicas:        specReplicas(s.Spec.Mode),
		Ports:           formatPorts(s),
		Version:         s.Meta.Version.Index,
		Spec:            s.Spec,
		HasPreviousSpec: s.PreviousSpec != nil,
		UpdatedAt:       s.Meta.UpdatedAt,
	}
	if c := s.Spec.TaskTemplate.ContainerSpec; c != nil {
		out.Image = DisplayImage(c.Image)
	}
	if st := s.ServiceStatus; st != nil {
		out.Running, out.Desired, out.Completed = st.RunningTasks, st.DesiredTasks, st.CompletedTasks
	}
	if u := s.UpdateStatus; u != nil {
		out.UpdateState, out.UpdateMessage = string(u.State), u.Message
	}
	return out
}

// DisplayImage drops the digest pin that deploys with --resolve-image add:
// registry/app:42@sha256:… → registry/app:42.
func DisplayImage(image string) string {
	if i := strings.IndexByte(image, '@'); i >= 0 {
		return image[:i]
	}
	return image
}

func modeName(m swarm.ServiceMode) string {
	switch {
	case m.Global != nil:
		return "global"
	case m.ReplicatedJob != nil:
		return "replicated-job"
	case m.GlobalJob != nil:
		return "global-job"
	default:
		return "replicated"
	}
}

func isGlobal(mode string) bool { return strings.HasPrefix(mode, "global") }

// specReplicas copies the replica count (a job's total completions) out of
// the spec, so the model shares no pointer with the engine's data.
func specReplicas(m swarm.ServiceMode) *uint64 {
	var p *uint64
	switch {
	case m.Replicated != nil:
		p = m.Replicated.Replicas
	case m.ReplicatedJob != nil:
		p = m.ReplicatedJob.TotalCompletions
	}
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// formatPorts renders published ports as published:target/protocol, host
// mode marked. Endpoint.Ports holds what the engine assigned (a published
// port left out of the spec gets one); the spec is the fallback.
func formatPorts(s *swarm.Service) []string {
	ports := s.Endpoint.Ports
	if len(ports) == 0 && s.Spec.EndpointSpec != nil {
		ports = s.Spec.EndpointSpec.Ports
	}
	if len(ports) == 0 {
		return nil
	}
	out := make([]string, 0, len(ports))
	for _, p := range ports {
		out = append(out, formatPort(p))
	}
	return out
}

func formatPort(p swarm.PortConfig) string {
	proto := string(p.Protocol)
	if proto == "" {
		proto = "tcp"
	}
	s := strconv.FormatUint(uint64(p.TargetPort), 10) + "/" + proto
	if p.PublishedPort != 0 {
		s = strconv.FormatUint(uint64(p.PublishedPort), 10) + ":" + s
	}
	if p.PublishMode == swarm.PortConfigPublishModeHost {
		s += "(host)"
	}
	return s
}

func (b *modelBuilder) addNodes(nodes []swarm.Node, tasks []swarm.Task) {
	b.nodes = buildNodes(nodes, tasks)
	b.hostname = make(map[string]string, len(nodes))
	for _, n := range b.nodes {
		b.hostname[n.ID] = n.Hostname
	}
}

// buildNodes models the nodes sorted by hostname and counts the running
// tasks among tasks on each.
func buildNodes(nodes []swarm.Node, tasks []swarm.Task) []Node {
	out := make([]Node, len(nodes))
	for i := range nodes {
		out[i] = newNode(&nodes[i])
	}
	slices.SortFunc(out, func(x, y Node) int {
		return cmp.Or(cmp.Compare(x.Hostname, y.Hostname), cmp.Compare(x.ID, y.ID))
	})
	at := make(map[string]int, len(out))
	for i, n := range out {
		at[n.ID] = i
	}
	for i := range tasks {
		if tasks[i].Status.State != swarm.TaskStateRunning {
			continue
		}
		if j, ok := at[tasks[i].NodeID]; ok {
			out[j].Tasks++
		}
	}
	return out
}

func newNode(n *swarm.Node) Node {
	out := Node{
		ID:            n.ID,
		Hostname:      n.Description.Hostname,
		Role:          string(n.Spec.Role),
		Availability:  string(n.Spec.Availability),
		Status:        string(n.Status.State),
		EngineVersion: n.Description.Engine.EngineVersion,
		Addr:          n.Status.Addr,
	}
	if n.ManagerStatus != nil {
		out.Leader = n.ManagerStatus.Leader
	}
	if out.Hostname == "" {
		out.Hostname = n.Spec.Name
	}
	return out
}

// taskKey orders tasks by service, slot (node for global services), newest
// first. It is computed once per task so the sort compares plain values.
type taskKey struct {
	service   int    // index in the sorted services; unknown services sort last
	serviceID string // set for unknown services only: the index says it all
	slot      int
	node      string // set for global services only: their slot is a node
	created   int64
}

// taskKey is a task's sort key.
func (b *modelBuilder) taskKey(t *swarm.Task) taskKey {
	k := taskKey{service: len(b.services), slot: t.Slot, created: t.Meta.CreatedAt.UnixNano()}
	global := t.Slot == 0
	if j, ok := b.serviceAt[t.ServiceID]; ok {
		k.service = j
		global = isGlobal(b.services[j].Mode)
	} else {
		k.serviceID = t.ServiceID
	}
	if global {
		k.node = t.NodeID
	}
	return k
}

func sameSlot(x, y *taskKey) bool {
	return x.service == y.service && x.serviceID == y.serviceID && x.slot == y.slot && x.node == y.node
}

// compareKeys sorts by slot, then newest first. Written out rather than
// with cmp.Or, which would evaluate every comparison every time.
func compareKeys(x, y *taskKey) int {
	switch {
	case x.service != y.service:
		return cmp.Compare(x.service, y.service)
	case x.serviceID != y.serviceID:
		return strings.Compare(x.serviceID, y.serviceID)
	case x.slot != y.slot:
		return cmp.Compare(x.slot, y.slot)
	case x.node != y.node:
		return strings.Compare(x.node, y.node)
	default:
		return cmp.Compare(y.created, x.created)
	}
}

// taskFacts is a task as the slot pass needs it. The first pass
// (readTasks) works them out reading the engine's tasks in the order they
// came; the slot pass visits tasks in sorted order and reads only these.
// Reading the engine's tasks, and the strings in the response body they
// point into, in sorted order missed the CPU cache on nearly every task:
// for 10,000 tasks recorded from a real engine the model took 10.4 ms that
// way, 7.6 ms this way.
type taskFacts struct {
	task    Task   // Current and the slot's crash loop are left to the slot pass
	current bool   // isCurrent
	failure bool   // isFailure
	ended   bool   // ended(Status.State)
	sign    Health // loopSign
}

// addTasks sorts the tasks and models them slot by slot.
func (b *modelBuilder) addTasks() {
	keys, facts := b.readTasks()
	order := make([]int32, len(keys))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(i, j int32) int {
		if c := compareKeys(&keys[i], &keys[j]); c != 0 {
			return c
		}
		return strings.Compare(facts[i].task.ID, facts[j].task.ID)
	})
	b.tasks = make([]Task, 0, len(order))
	for start := 0; start < len(order); {
		end := start + 1
		for end < len(order) && sameSlot(&keys[order[start]], &keys[order[end]]) {
			end++
		}
		b.addSlot(keys[order[start]].service, facts, order[start:end])
		start = end
	}
}

// readTasks is the first pass: every task's sort key and facts, in the
// engine's order.
func (b *modelBuilder) readTasks() ([]taskKey, []taskFacts) {
	keys := make([]taskKey, len(b.raw))
	facts := make([]taskFacts, len(b.raw))
	for i := range b.raw {
		t := &b.raw[i]
		keys[i] = b.taskKey(t)
		name := t.ServiceID
		if j := keys[i].service; j < len(b.services) {
			name = b.services[j].Name
		}
		facts[i] = taskFacts{
			task:    b.newTask(t, name),
			current: isCurrent(t),
			failure: isFailure(t),
			ended:   ended(t.Status.State),
			sign:    loopSign(t, b.now),
		}
	}
	return keys, facts
}

// addSlot models one slot's tasks (slot indexes facts, newest first) and
// folds the current ones into their service's health. A slot with no
// current task whose newest task failed is dead (the restart policy gave
// up, or its condition is none): that failure stands for the slot.
func (b *modelBuilder) addSlot(service int, facts []taskFacts, slot []int32) {
	loop := crashLoop(func(yield func(Health) bool) {
		for _, i := range slot {
			if !yield(facts[i].sign) {
				return
			}
		}
	})
	dead := !slices.ContainsFunc(slot, func(i int32) bool { return facts[i].current })
	for n, i := range slot {
		f := &facts[i]
		t := f.task
		t.Current = f.current || (dead && n == 0 && f.failure)
		if t.Current {
			t.Health = max(t.Health, loop)
			b.countCurrent(service, f.ended, t.Health)
		}
		b.tasks = append(b.tasks, t)
	}
}

// isCurrent: the orchestrator still wants the task (running, ready while a
// restart delay runs out, complete for jobs). Tasks it shut down are history.
func isCurrent(t *swarm.Task) bool {
	switch t.DesiredState {
	case swarm.TaskStateShutdown, swarm.TaskStateRemove, swarm.TaskStateOrphaned,
		swarm.TaskStateFailed, swarm.TaskStateRejected:
		return false
	}
	return true
}

func (b *modelBuilder) newTask(t *swarm.Task, service string) Task {
	out := Task{
		ID:           t.ID,
		ServiceID:    t.ServiceID,
		Service:      service,
		Slot:         t.Slot,
		NodeID:       t.NodeID,
		Node:         t.NodeID,
		State:        string(t.Status.State),
		DesiredState: string(t.DesiredState),
		Since:        t.Status.Timestamp,
		Err:          t.Status.Err,
		Failed:       isFailure(t) || (t.Status.Err != "" && t.Status.State != swarm.TaskStateRunning),
		Health:       taskHealth(t),
	}
	if h, ok := b.hostname[t.NodeID]; ok {
		out.Node = h
	}
	if cs := t.Status.ContainerStatus; cs != nil {
		out.ExitCode, out.ContainerID = cs.ExitCode, cs.ContainerID
	}
	if c := t.Spec.ContainerSpec; c != nil {
		out.Image = DisplayImage(c.Image)
	}
	return out
}

func (b *modelBuilder) countCurrent(service int, ended bool, h Health) {
	if service >= len(b.services) {
		return
	}
	b.worst[service] = max(b.worst[service], h)
	if !ended {
		b.active[service]++
	}
}

// ended: the task reached a terminal state; it will not run again.
func ended(s swarm.TaskState) bool {
	switch s {
	case swarm.TaskStateComplete, swarm.TaskStateShutdown, swarm.TaskStateFailed,
		swarm.TaskStateRejected, swarm.TaskStateRemove, swarm.TaskStateOrphaned:
		return true
	}
	return false
}

func (b *modelBuilder) finishServices() {
	for i := range b.services {
		s := &b.services[i]
		s.Converged = converged(s, b.active[i])
		s.Health = serviceHealth(b.worst[i], s)
	}
}

// converged: a service runs as many tasks as desired and is not in the
// middle of (or stuck in) an update; a job has no task left to run.
func converged(s *Service, active int) bool {
	switch swarm.UpdateState(s.UpdateState) {
	case swarm.UpdateStateUpdating, swarm.UpdateStateRollbackStarted,
		swarm.UpdateStatePaused, swarm.UpdateStateRollbackPaused:
		return false
	}
	if isJob(s.Mode) {
		return active == 0
	}
	return s.Running == s.Desired
}

// withStatusFromTasks returns a copy of services with ServiceStatus filled
// in from the task list where the engine left it out (a manager older than
// API 1.41 in a mixed-version swarm).
func withStatusFromTasks(services []swarm.Service, tasks []swarm.Task) []swarm.Service {
	byService := map[string][]swarm.Task{}
	for _, t := range tasks {
		byService[t.ServiceID] = append(byService[t.ServiceID], t)
	}
	out := slices.Clone(services)
	for i := range out {
		if out[i].ServiceStatus == nil {
			st := statusFromTasks(out[i], byService[out[i].ID])
			out[i].ServiceStatus = &st
		}
	}
	return out
}

// statusFromTasks counts like the engine does for ServiceStatus: running
// tasks; desired = replicas for replicated modes, the tasks not being shut
// down for global modes; completed tasks for jobs.
func statusFromTasks(s swarm.Service, tasks []swarm.Task) swarm.ServiceStatus {
	var st swarm.ServiceStatus
	global := isGlobal(modeName(s.Spec.Mode))
	for i := range tasks {
		t := &tasks[i]
		switch {
		case t.Status.State == swarm.TaskStateRunning && isCurrent(t):
			st.RunningTasks++
		case t.Status.State == swarm.TaskStateComplete:
			st.CompletedTasks++
		}
		if global && isCurrent(t) {
			st.DesiredTasks++
		}
	}
	if r := specReplicas(s.Spec.Mode); r != nil {
		st.DesiredTasks = *r
	}
	return st
}
