package swarm

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/moby/moby/api/types/swarm"
)

// taskTally is one poll's count of a service's tasks.
type taskTally struct {
	slots     []SlotProgress
	running   int  // slots running the current spec; for jobs, completed tasks
	desired   int  // replicas, nodes, or job completions
	converged bool // every slot runs the current spec (a job: completions reached)
	job       bool // jobs need no monitor window: a completed task stays completed
	failure   string
	stuck     []stuckSlot // slots whose tasks keep failing (not for jobs)
	summary   string      // the count in words, for a verdict: "3/3 running"
	waiting   string      // what is awaited beyond the count, if anything: "waiting for tasks"
}

// convergeStateRank orders task states as swarmkit does. States above
// running are terminal. States missing here (remove, orphaned) rank 0 and
// are ignored, as the docker CLI ignores them.
var convergeStateRank = map[swarm.TaskState]int{
	swarm.TaskStateNew:       1,
	swarm.TaskStateAllocated: 2,
	swarm.TaskStatePending:   3,
	swarm.TaskStateAssigned:  4,
	swarm.TaskStateAccepted:  5,
	swarm.TaskStatePreparing: 6,
	swarm.TaskStateReady:     7,
	swarm.TaskStateStarting:  8,
	swarm.TaskStateRunning:   9,
	swarm.TaskStateComplete:  10,
	swarm.TaskStateShutdown:  11,
	swarm.TaskStateFailed:    12,
	swarm.TaskStateRejected:  13,
}

func pastRunning(s swarm.TaskState) bool {
	return convergeStateRank[s] > convergeStateRank[swarm.TaskStateRunning]
}

func stateFailed(s swarm.TaskState) bool {
	return s == swarm.TaskStateFailed || s == swarm.TaskStateRejected
}

// byDesiredThenObserved prefers the task with the lowest desired state,
// then the lowest observed state: of a task being shut down and its
// replacement, the replacement speaks for the slot; with start-first both
// want to run, and the one still starting is the news.
func byDesiredThenObserved(a, b swarm.Task) int {
	return cmp.Or(cmp.Compare(convergeStateRank[a.DesiredState], convergeStateRank[b.DesiredState]),
		cmp.Compare(convergeStateRank[a.Status.State], convergeStateRank[b.Status.State]))
}

// byObserved prefers the task with the lowest observed state, which is
// how a job slot is read: a retry still pending beats the failure before it.
func byObserved(a, b swarm.Task) int {
	return cmp.Compare(convergeStateRank[a.Status.State], convergeStateRank[b.Status.State])
}

// rankedTasks drops tasks in states the ranking does not know.
func rankedTasks(tasks []swarm.Task) []swarm.Task {
	return slices.DeleteFunc(slices.Clone(tasks), func(t swarm.Task) bool {
		return convergeStateRank[t.DesiredState] == 0 || convergeStateRank[t.Status.State] == 0
	})
}

// tasksOnLiveNodes drops tasks assigned to nodes that are down: they will
// be replaced elsewhere and must not hold up or count towards convergence.
func tasksOnLiveNodes(tasks []swarm.Task, nodes map[string]string) []swarm.Task {
	return slices.DeleteFunc(slices.Clone(tasks), func(t swarm.Task) bool {
		_, live := nodes[t.NodeID]
		return t.NodeID != "" && !live
	})
}

func groupTasks[K comparable](tasks []swarm.Task, key func(swarm.Task) K) map[K][]swarm.Task {
	groups := map[K][]swarm.Task{}
	for _, t := range tasks {
		groups[key(t)] = append(groups[key(t)], t)
	}
	return groups
}

// slotSpeaker picks the task that speaks for a slot or node: among the
// tasks matching the current spec if there are any, else among the old ones.
func slotSpeaker(group []swarm.Task, upToDate map[string]bool) (task swarm.Task, fresh bool) {
	var news []swarm.Task
	for _, t := range group {
		if upToDate[t.ID] {
			news = append(news, t)
		}
	}
	if len(news) > 0 {
		return slices.MinFunc(news, byDesiredThenObserved), true
	}
	return slices.MinFunc(group, byDesiredThenObserved), false
}

// slotProgressOf describes the task speaking for a slot, with the slot's
// latest error while that task is not running (a crash loop shows why).
func slotProgressOf(t swarm.Task, fresh bool, group []swarm.Task, obs servicePoll) SlotProgress {
	s := SlotProgress{Slot: t.Slot, Node: obs.nodes[t.NodeID], State: string(t.Status.State), UpToDate: fresh}
	if t.Status.State != swarm.TaskStateRunning && t.Status.State != swarm.TaskStateComplete {
		s.Err = latestTaskErr(group, obs.old)
	}
	return s
}

// latestTaskErr is the newest error in the group, from tasks not in old.
func latestTaskErr(group []swarm.Task, old map[string]bool) string {
	var latest swarm.Task
	for _, t := range group {
		if t.Status.Err != "" && !old[t.ID] && t.Status.Timestamp.After(latest.Status.Timestamp) {
			latest = t
		}
	}
	return latest.Status.Err
}

// tallyReplicated reads a replicated service slot by slot. A slot counts
// once the task speaking for it matches the current spec and runs.
func tallyReplicated(obs servicePoll, replicas int) taskTally {
	t := taskTally{desired: replicas}
	groups := groupTasks(rankedTasks(tasksOnLiveNodes(obs.tasks, obs.nodes)), func(t swarm.Task) int { return t.Slot })
	for _, slot := range slices.Sorted(maps.Keys(groups)) {
		// Before the skip below: a slot swarm gave up on holds only
		// finished tasks too.
		if s, ok := slotTrouble(fmt.Sprintf("slot %d", slot), groups[slot], obs); ok {
			t.stuck = append(t.stuck, s)
		}
		task, fresh := slotSpeaker(groups[slot], obs.upToDate)
		if pastRunning(task.DesiredState) {
			continue // a slot being removed, or history only
		}
		t.slots = append(t.slots, slotProgressOf(task, fresh, groups[slot], obs))
		if fresh && task.Status.State == swarm.TaskStateRunning {
			t.running++
		}
	}
	t.converged = t.running >= replicas
	t.summary = fmt.Sprintf("%d/%d running", t.running, replicas)
	return t
}

// tallyGlobal reads a global service node by node. How many nodes are
// eligible is not known up front; the orchestrator creates tasks for all of
// them at once, so the nodes among the tasks are the nodes expected.
func tallyGlobal(obs servicePoll) taskTally {
	var t taskTally
	assigned := slices.DeleteFunc(rankedTasks(tasksOnLiveNodes(obs.tasks, obs.nodes)), func(t swarm.Task) bool { return t.NodeID == "" })
	groups := groupTasks(assigned, func(t swarm.Task) string { return t.NodeID })
	for _, node := range slices.Sorted(maps.Keys(groups)) {
		if s, ok := slotTrouble("node "+cmp.Or(obs.nodes[node], node), groups[node], obs); ok {
			t.stuck = append(t.stuck, s)
		}
		task, fresh := slotSpeaker(groups[node], obs.upToDate)
		if pastRunning(task.DesiredState) {
			continue
		}
		t.desired++
		t.slots = append(t.slots, slotProgressOf(task, fresh, groups[node], obs))
		if fresh && task.Status.State == swarm.TaskStateRunning {
			t.running++
		}
	}
	slices.SortFunc(t.slots, func(a, b SlotProgress) int { return cmp.Compare(a.Node, b.Node) })
	t.converged = t.desired > 0 && t.running == t.desired
	t.summary = fmt.Sprintf("%d/%d nodes running", t.running, t.desired)
	if t.desired == 0 {
		t.waiting = "waiting for tasks"
	}
	return t
}

// jobIterationTasks keeps the tasks of a job's current run: every update of a
// job starts a new iteration, and the old iteration's tasks stay listed.
func jobIterationTasks(svc swarm.Service, tasks []swarm.Task) []swarm.Task {
	var iteration uint64
	if svc.JobStatus != nil {
		iteration = svc.JobStatus.JobIteration.Index
	}
	return slices.DeleteFunc(rankedTasks(tasks), func(t swarm.Task) bool {
		return t.JobIteration == nil || t.JobIteration.Index != iteration
	})
}

// tallyReplicatedJob reads a replicated job: done when its completions are
// reached, failed when a task failed and its restart policy gives up.
func tallyReplicatedJob(obs servicePoll) taskTally {
	spec := obs.service.Spec.Mode.ReplicatedJob
	total := 1
	switch {
	case spec.TotalCompletions != nil:
		total = int(*spec.TotalCompletions)
	case spec.MaxConcurrent != nil: // the engine's default for completions
		total = int(*spec.MaxConcurrent)
	}
	groups := groupTasks(jobIterationTasks(obs.service, obs.tasks), func(t swarm.Task) int { return t.Slot })
	t := tallyJob(obs, slices.Sorted(maps.Keys(groups)), groups, total)
	for i := range t.slots {
		t.slots[i].Slot++ // job slots count from 0
	}
	return t
}

// globalJobNodes fixes the nodes a global job runs on at the first poll that
// shows its tasks; nodes joining later are not waited for.
func globalJobNodes(obs servicePoll) map[string]bool {
	tasks := jobIterationTasks(obs.service, obs.tasks)
	if len(tasks) == 0 {
		return nil
	}
	nodes := map[string]bool{}
	for _, t := range tasks {
		nodes[t.NodeID] = true
	}
	return nodes
}

// tallyGlobalJob reads a global job: done when every node it started on
// has a completed task.
func tallyGlobalJob(obs servicePoll, nodes map[string]bool) taskTally {
	tasks := slices.DeleteFunc(jobIterationTasks(obs.service, obs.tasks), func(t swarm.Task) bool { return !nodes[t.NodeID] })
	groups := groupTasks(tasks, func(t swarm.Task) string { return t.NodeID })
	t := tallyJob(obs, slices.Sorted(maps.Keys(groups)), groups, len(nodes))
	if len(nodes) == 0 {
		t.converged, t.waiting = false, "waiting for tasks"
	}
	return t
}

// tallyJob counts completed job tasks, one per slot or node.
func tallyJob[K cmp.Ordered](obs servicePoll, keys []K, groups map[K][]swarm.Task, total int) taskTally {
	t := taskTally{desired: total, job: true}
	policy := obs.service.Spec.TaskTemplate.RestartPolicy
	for _, key := range keys {
		group := groups[key]
		task := slices.MinFunc(group, byObserved)
		t.slots = append(t.slots, slotProgressOf(task, true, group, obs))
		switch {
		case task.Status.State == swarm.TaskStateComplete:
			t.running++
		case stateFailed(task.Status.State) && restartGivesUp(policy, failureCount(group)) && t.failure == "":
			t.failure = fmt.Sprintf("a job task failed and its restart policy allows no more attempts: %s", task.Status.Err)
		}
	}
	t.converged = t.running >= total
	t.summary = fmt.Sprintf("%d/%d completed", t.running, total)
	return t
}

func failureCount(group []swarm.Task) int {
	n := 0
	for _, t := range group {
		if stateFailed(t.Status.State) {
			n++
		}
	}
	return n
}

// restartGivesUp reports whether a restart policy stops restarting after
// this many failures. Without a policy the engine restarts without limit; a
// MaxAttempts of 0 also means no limit.
func restartGivesUp(p *swarm.RestartPolicy, failureCount int) bool {
	switch {
	case p == nil || failureCount == 0:
		return false
	case p.Condition == swarm.RestartPolicyConditionNone:
		return true
	case p.MaxAttempts != nil && *p.MaxAttempts > 0:
		return uint64(failureCount) > *p.MaxAttempts
	}
	return false
}
