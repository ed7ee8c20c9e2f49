package swarm

import (
	"cmp"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

// Unit tests of the convergence rules, on made-up tasks.

const (
	running  = swarm.TaskStateRunning
	starting = swarm.TaskStateStarting
	pending  = swarm.TaskStatePending
	shutdown = swarm.TaskStateShutdown
	failed   = swarm.TaskStateFailed
	complete = swarm.TaskStateComplete
	ready    = swarm.TaskStateReady
)

var cvStart = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

// cvTask is a task on node n1; fresh marks it as matching the current spec.
type cvTask struct {
	id             string
	slot           int
	desired, state swarm.TaskState
	fresh          bool
	err            string
	node           string
	at             time.Duration // status time after cvStart; 0 means the task's index in seconds
}

// cvPoll builds an observation of a replicated service with these tasks.
func cvPoll(replicas uint64, version uint64, status *swarm.UpdateStatus, tasks ...cvTask) servicePoll {
	svc := swarm.Service{
		ID:           "svc",
		Meta:         swarm.Meta{Version: swarm.Version{Index: version}},
		Spec:         swarm.ServiceSpec{Mode: swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &replicas}}},
		UpdateStatus: status,
	}
	return cvObserve(svc, tasks...)
}

func cvObserve(svc swarm.Service, tasks ...cvTask) servicePoll {
	obs := servicePoll{service: svc, upToDate: map[string]bool{}, nodes: map[string]string{"n1": "node-1", "n2": "node-2"}}
	for i, ct := range tasks {
		node := ct.node
		if node == "" {
			node = "n1"
		}
		at := cmp.Or(ct.at, time.Duration(i)*time.Second)
		t := swarm.Task{
			ID: ct.id, Slot: ct.slot, NodeID: node, DesiredState: ct.desired,
			Status: swarm.TaskStatus{State: ct.state, Err: ct.err, Timestamp: cvStart.Add(at)},
		}
		if svc.JobStatus != nil {
			t.JobIteration = &swarm.Version{Index: svc.JobStatus.JobIteration.Index}
		}
		obs.tasks = append(obs.tasks, t)
		if ct.fresh {
			obs.upToDate[ct.id] = true
		}
	}
	return obs
}

func TestTallyReplicated(t *testing.T) {
	tests := []struct {
		name      string
		replicas  int
		tasks     []cvTask
		want      []SlotProgress
		converged bool
	}{
		{
			name:     "all new tasks running",
			replicas: 2,
			tasks:    []cvTask{{id: "a", slot: 1, desired: running, state: running, fresh: true}, {id: "b", slot: 2, desired: running, state: running, fresh: true}},
			want: []SlotProgress{
				{Slot: 1, Node: "node-1", State: "running", UpToDate: true},
				{Slot: 2, Node: "node-1", State: "running", UpToDate: true},
			},
			converged: true,
		},
		{
			name:     "stop-first update half way: the replacement speaks for slot 1, slot 2 still old",
			replicas: 2,
			tasks: []cvTask{
				{id: "old1", slot: 1, desired: shutdown, state: running},
				{id: "new1", slot: 1, desired: ready, state: starting, fresh: true},
				{id: "old2", slot: 2, desired: running, state: running},
			},
			want: []SlotProgress{
				{Slot: 1, Node: "node-1", State: "starting", UpToDate: true},
				{Slot: 2, Node: "node-1", State: "running", UpToDate: false},
			},
		},
		{
			name:     "start-first: both want to run, the one still starting is the news",
			replicas: 1,
			tasks: []cvTask{
				{id: "old", slot: 1, desired: running, state: running},
				{id: "new", slot: 1, desired: running, state: starting, fresh: true},
			},
			want: []SlotProgress{{Slot: 1, Node: "node-1", State: "starting", UpToDate: true}},
		},
		{
			name:     "crash loop shows the last error while the retry is pending",
			replicas: 1,
			tasks: []cvTask{
				{id: "f1", slot: 1, desired: shutdown, state: failed, fresh: true, err: "first"},
				{id: "f2", slot: 1, desired: shutdown, state: failed, fresh: true, err: "second"},
				{id: "retry", slot: 1, desired: running, state: pending, fresh: true},
			},
			want: []SlotProgress{{Slot: 1, Node: "node-1", State: "pending", UpToDate: true, Err: "second"}},
		},
		{
			name:     "scale down: the removed slot is not shown nor counted",
			replicas: 1,
			tasks: []cvTask{
				{id: "a", slot: 1, desired: running, state: running, fresh: true},
				{id: "b", slot: 2, desired: shutdown, state: running, fresh: true},
				{id: "c", slot: 3, desired: swarm.TaskStateRemove, state: running, fresh: true},
			},
			want:      []SlotProgress{{Slot: 1, Node: "node-1", State: "running", UpToDate: true}},
			converged: true,
		},
		{
			name:     "a task on a down node neither counts nor blocks",
			replicas: 1,
			tasks: []cvTask{
				{id: "lost", slot: 1, desired: running, state: running, fresh: true, node: "gone"},
				{id: "a", slot: 2, desired: running, state: running, fresh: true},
			},
			want:      []SlotProgress{{Slot: 2, Node: "node-1", State: "running", UpToDate: true}},
			converged: true,
		},
		{
			name:     "scaled to zero",
			replicas: 0,
			tasks:    []cvTask{{id: "a", slot: 1, desired: shutdown, state: shutdown, fresh: true}},
			want:     nil, converged: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tallyReplicated(cvPoll(uint64(tt.replicas), 1, nil, tt.tasks...), tt.replicas)
			if !reflect.DeepEqual(got.slots, tt.want) {
				t.Errorf("slots:\n got %+v\nwant %+v", got.slots, tt.want)
			}
			if got.converged != tt.converged {
				t.Errorf("converged = %v, want %v (%s)", got.converged, tt.converged, got.summary)
			}
		})
	}
}

func TestTallyGlobal(t *testing.T) {
	svc := swarm.Service{Spec: swarm.ServiceSpec{Mode: swarm.ServiceMode{Global: &swarm.GlobalService{}}}}
	tests := []struct {
		name            string
		tasks           []cvTask
		running, wanted int
		converged       bool
	}{
		{"no tasks yet", nil, 0, 0, false},
		{"one node updated, one still old", []cvTask{
			{id: "a", desired: running, state: running, fresh: true, node: "n1"},
			{id: "b", desired: running, state: running, node: "n2"},
		}, 1, 2, false},
		{"both nodes updated", []cvTask{
			{id: "a", desired: running, state: running, fresh: true, node: "n1"},
			{id: "old", desired: shutdown, state: shutdown, node: "n2"},
			{id: "b", desired: running, state: running, fresh: true, node: "n2"},
		}, 2, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tallyGlobal(cvObserve(svc, tt.tasks...))
			if got.running != tt.running || got.desired != tt.wanted || got.converged != tt.converged {
				t.Errorf("got %d/%d converged=%v, want %d/%d converged=%v", got.running, got.desired, got.converged, tt.running, tt.wanted, tt.converged)
			}
		})
	}
}

func TestTallyReplicatedJob(t *testing.T) {
	two, one := uint64(2), uint64(1)
	job := func(policy *swarm.RestartPolicy) swarm.Service {
		return swarm.Service{
			Spec: swarm.ServiceSpec{
				Mode:         swarm.ServiceMode{ReplicatedJob: &swarm.ReplicatedJob{MaxConcurrent: &two, TotalCompletions: &two}},
				TaskTemplate: swarm.TaskSpec{RestartPolicy: policy},
			},
			JobStatus: &swarm.JobStatus{JobIteration: swarm.Version{Index: 7}},
		}
	}
	never := &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone}
	once := &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionOnFailure, MaxAttempts: &one}
	tests := []struct {
		name      string
		policy    *swarm.RestartPolicy
		tasks     []cvTask
		converged bool
		failed    bool
	}{
		{"both complete", nil, []cvTask{
			{id: "a", slot: 0, desired: complete, state: complete},
			{id: "b", slot: 1, desired: complete, state: complete},
		}, true, false},
		{"one still running", nil, []cvTask{
			{id: "a", slot: 0, desired: complete, state: complete},
			{id: "b", slot: 1, desired: complete, state: running},
		}, false, false},
		{"failure without restarts fails the job", never, []cvTask{
			{id: "a", slot: 0, desired: complete, state: complete},
			{id: "b", slot: 1, desired: shutdown, state: failed, err: "task: non-zero exit (1)"},
		}, false, true},
		{"first failure with one restart left is retried", once, []cvTask{
			{id: "b", slot: 1, desired: shutdown, state: failed, err: "boom"},
			{id: "b2", slot: 1, desired: complete, state: pending},
		}, false, false},
		{"second failure exhausts the restart", once, []cvTask{
			{id: "b", slot: 1, desired: shutdown, state: failed, err: "boom"},
			{id: "b2", slot: 1, desired: shutdown, state: failed, err: "boom"},
		}, false, true},
		{"default policy restarts forever", nil, []cvTask{
			{id: "b", slot: 1, desired: shutdown, state: failed, err: "boom"},
		}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := cvObserve(job(tt.policy), tt.tasks...)
			// A task of an earlier run must not count.
			obs.tasks = append(obs.tasks, swarm.Task{ID: "old", Slot: 5, DesiredState: complete, Status: swarm.TaskStatus{State: complete}, JobIteration: &swarm.Version{Index: 6}})
			got := tallyReplicatedJob(obs)
			if got.converged != tt.converged || (got.failure != "") != tt.failed {
				t.Errorf("converged=%v failure=%q, want converged=%v failed=%v", got.converged, got.failure, tt.converged, tt.failed)
			}
			if got.desired != 2 || len(got.slots) != len(uniqueSlots(tt.tasks)) {
				t.Errorf("desired %d slots %+v", got.desired, got.slots)
			}
		})
	}
}

func uniqueSlots(tasks []cvTask) map[int]bool {
	m := map[int]bool{}
	for _, t := range tasks {
		m[t.slot] = true
	}
	return m
}

func TestJudgeUpdateStatus(t *testing.T) {
	tests := []struct {
		state       swarm.UpdateState
		want        VerdictKind
		rollingBack bool
		done        bool
	}{
		{"", 0, false, false},
		{swarm.UpdateStateUpdating, 0, false, false},
		{swarm.UpdateStateCompleted, 0, false, true},
		{swarm.UpdateStatePaused, Paused, false, false},
		{swarm.UpdateStateRollbackStarted, 0, true, false},
		{swarm.UpdateStateRollbackPaused, Failed, false, false},
		{swarm.UpdateStateRollbackCompleted, 0, true, true},
	}
	for _, tt := range tests {
		t.Run(cmp.Or(string(tt.state), "none"), func(t *testing.T) {
			var st *swarm.UpdateStatus
			if tt.state != "" {
				st = &swarm.UpdateStatus{State: tt.state, Message: "engine says"}
			}
			got := judgeUpdateStatus(st)
			if got.verdict != tt.want || got.rollingBack != tt.rollingBack || got.done != tt.done {
				t.Errorf("got %+v", got)
			}
			if got.verdict != 0 && !strings.Contains(got.message, "engine says") {
				t.Errorf("message %q drops the engine's words", got.message)
			}
		})
	}
}

// cvStep is one poll fed to a watcher: when, and what it saw.
type cvStep struct {
	at     time.Duration
	status *swarm.UpdateStatus
	tasks  []cvTask
}

func TestWatcherVerdicts(t *testing.T) {
	up := []cvTask{{id: "new", slot: 1, desired: running, state: running, fresh: true}}
	down := []cvTask{{id: "new", slot: 1, desired: shutdown, state: failed, fresh: true, err: "task: non-zero exit (1)"}}
	status := func(s swarm.UpdateState, msg string) *swarm.UpdateStatus {
		return &swarm.UpdateStatus{State: s, Message: msg}
	}
	tests := []struct {
		name     string
		action   string
		steps    []cvStep
		want     VerdictKind
		wantMsg  string
		wantErrs []string
		atStep   int // the step that decides
	}{
		{
			name:   "a scale converges after the monitor window",
			action: ActionScale,
			steps:  []cvStep{{0, nil, up}, {500 * time.Millisecond, nil, up}, {time.Second, nil, up}},
			want:   Converged, atStep: 2,
		},
		{
			name:   "a task failure restarts the window",
			action: ActionScale,
			steps:  []cvStep{{0, nil, up}, {500 * time.Millisecond, nil, down}, {time.Second, nil, up}, {1500 * time.Millisecond, nil, up}, {2 * time.Second, nil, up}},
			want:   Converged, atStep: 4, wantErrs: []string{"task: non-zero exit (1)"},
		},
		{
			name:   "the engine's completed status ends the wait at once",
			action: ActionImage,
			steps:  []cvStep{{0, status(swarm.UpdateStateUpdating, ""), up}, {200 * time.Millisecond, status(swarm.UpdateStateCompleted, "update completed"), up}},
			want:   Converged, atStep: 1,
		},
		{
			name:   "paused",
			action: ActionImage,
			steps:  []cvStep{{0, status(swarm.UpdateStateUpdating, ""), down}, {time.Second, status(swarm.UpdateStatePaused, "update paused due to failure of task x"), down}},
			want:   Paused, wantMsg: "update paused due to failure of task x", atStep: 1,
			wantErrs: []string{"task: non-zero exit (1)"},
		},
		{
			name:   "an automatic rollback keeps the reason the final status drops",
			action: ActionImage,
			steps: []cvStep{
				{0, status(swarm.UpdateStateUpdating, ""), down},
				{time.Second, status(swarm.UpdateStateRollbackStarted, "update rolled back due to failure of task x"), down},
				{2 * time.Second, status(swarm.UpdateStateRollbackStarted, "update rolled back due to failure of task x"), up},
				{3 * time.Second, status(swarm.UpdateStateRollbackCompleted, "rollback completed"), up},
			},
			want: RolledBack, wantMsg: "update rolled back due to failure of task x", atStep: 3,
			wantErrs: []string{"task: non-zero exit (1)"},
		},
		{
			name:   "a requested rollback that completes has converged",
			action: ActionRollback,
			steps: []cvStep{
				{0, status(swarm.UpdateStateRollbackStarted, "manually requested rollback"), up},
				{time.Second, status(swarm.UpdateStateRollbackCompleted, "rollback completed"), up},
			},
			want: Converged, atStep: 1,
		},
		{
			name:   "a paused rollback has failed",
			action: ActionRollback,
			steps:  []cvStep{{0, status(swarm.UpdateStateRollbackPaused, "rollback paused due to failure of task y"), down}},
			want:   Failed, wantMsg: "rollback paused", atStep: 0,
			wantErrs: []string{"task: non-zero exit (1)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newChangeWatcher(Change{Service: "web", Action: tt.action, Version: 10})
			var v *Verdict
			for i, s := range tt.steps {
				_, v, _ = w.step(cvPollWithMonitor(s.status, s.tasks), cvStart.Add(s.at))
				if v != nil {
					if i != tt.atStep {
						t.Fatalf("verdict %s at step %d, want at step %d", v.Kind, i, tt.atStep)
					}
					break
				}
			}
			if v == nil {
				t.Fatalf("no verdict after %d steps", len(tt.steps))
			}
			if v.Kind != tt.want || !strings.Contains(v.Message, tt.wantMsg) {
				t.Errorf("verdict %s %q, want %s %q", v.Kind, v.Message, tt.want, tt.wantMsg)
			}
			if got := w.errs.list(); !reflect.DeepEqual(got, tt.wantErrs) {
				t.Errorf("task errors %q, want %q", got, tt.wantErrs)
			}
		})
	}
}

// cvPollWithMonitor is a one-replica service at version 10 with a 1 s
// monitor window.
func cvPollWithMonitor(status *swarm.UpdateStatus, tasks []cvTask) servicePoll {
	obs := cvPoll(1, 10, status, tasks...)
	obs.service.Spec.UpdateConfig = &swarm.UpdateConfig{Monitor: time.Second}
	return obs
}

func TestWatcherIgnoresReadsOlderThanTheChange(t *testing.T) {
	w := newChangeWatcher(Change{Service: "web", Action: ActionImage, Version: 10})
	// Before the update the service was paused; a read from then must not
	// decide this update's fate.
	stale := cvPoll(1, 9, &swarm.UpdateStatus{State: swarm.UpdateStatePaused, Message: "old"})
	if _, v, fresh := w.step(stale, cvStart); fresh || v != nil {
		t.Fatalf("stale read gave fresh=%v verdict=%+v", fresh, v)
	}
}

func TestTaskErrorsSkipOldTasksAndCountRepeats(t *testing.T) {
	tasks := cvPoll(1, 1, nil,
		cvTask{id: "history", slot: 1, desired: shutdown, state: failed, err: "from last week"},
		cvTask{id: "early", slot: 2, desired: shutdown, state: failed, err: "failed before the first poll"},
	).tasks
	tasks[0].Meta.CreatedAt = cvStart.Add(-7 * 24 * time.Hour)
	tasks[1].Meta.CreatedAt = cvStart.Add(time.Second)
	old := finishedTaskIDs(tasks, cvStart) // the change was written at cvStart
	tasks = append(tasks, cvPoll(1, 1, nil,
		cvTask{id: "a", slot: 1, desired: shutdown, state: failed, err: "exit 1"},
		cvTask{id: "b", slot: 2, desired: shutdown, state: failed, err: "exit 1"},
		cvTask{id: "c", slot: 3, desired: shutdown, state: swarm.TaskStateRejected, err: "No such image: x:3"},
	).tasks...)
	var errs taskErrorSet
	errs.collect(tasks, old)
	errs.collect(tasks, old) // a second poll of the same tasks adds nothing
	want := []string{"failed before the first poll", "exit 1 (2 tasks)", "No such image: x:3"}
	if got := errs.list(); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestExitCodeFor(t *testing.T) {
	tests := []struct {
		kinds []VerdictKind
		want  int
	}{
		{nil, 0},
		{[]VerdictKind{Converged, Converged}, 0},
		{[]VerdictKind{Converged, RolledBack}, 1},
		{[]VerdictKind{Paused}, 1},
		{[]VerdictKind{Detached}, 1},
		{[]VerdictKind{Failed}, 1},
	}
	for _, tt := range tests {
		var vs []Verdict
		for _, k := range tt.kinds {
			vs = append(vs, Verdict{Kind: k})
		}
		if got := ExitCodeFor(vs); got != tt.want {
			t.Errorf("ExitCodeFor(%v) = %d, want %d", tt.kinds, got, tt.want)
		}
	}
}
