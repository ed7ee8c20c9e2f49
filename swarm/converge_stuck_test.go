package swarm

import (
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

// Unit tests of the rules for slots whose tasks keep failing.

const exit1 = "task: non-zero exit (1)"

func restartPolicy(cond swarm.RestartPolicyCondition, maxAttempts uint64) *swarm.RestartPolicy {
	return &swarm.RestartPolicy{Condition: cond, MaxAttempts: &maxAttempts}
}

// cvFailed is a failed task of slot 1, shut down by swarm.
func cvFailed(id string) cvTask {
	return cvTask{id: id, slot: 1, desired: shutdown, state: failed, fresh: true, err: exit1}
}

func TestSlotTrouble(t *testing.T) {
	onFailure2 := restartPolicy(swarm.RestartPolicyConditionOnFailure, 2)
	windowed := restartPolicy(swarm.RestartPolicyConditionOnFailure, 1)
	window := 10 * time.Second
	windowed.Window = &window
	pendingRetry := cvTask{id: "retry", slot: 1, desired: running, state: pending, fresh: true}
	tests := []struct {
		name       string
		policy     *swarm.RestartPolicy
		tasks      []cvTask
		beforeTill int    // this many tasks were created before the change
		want       string // part of the reason; "" for no trouble
		settle     bool
	}{
		{"max attempts exhausted, no live task", onFailure2,
			[]cvTask{cvFailed("f1"), cvFailed("f2"), cvFailed("f3")}, 0,
			"restart policy gave up after 2 attempts in slot 1: " + exit1, true},
		{"max attempts not yet exhausted", onFailure2,
			[]cvTask{cvFailed("f1"), cvFailed("f2"), pendingRetry}, 0, "", false},
		{"exhausted but a retry is pending", onFailure2,
			[]cvTask{cvFailed("f1"), cvFailed("f2"), cvFailed("f3"), pendingRetry}, 0, "", false},
		{"no restarts: one failure is enough", restartPolicy(swarm.RestartPolicyConditionNone, 0),
			[]cvTask{cvFailed("f1")}, 0, "a task failed in slot 1 and the restart policy allows no restarts", true},
		{"unlimited: three quick failures are a crash loop", nil,
			[]cvTask{cvFailed("f1"), cvFailed("f2"), cvFailed("f3"), pendingRetry}, 0,
			"tasks keep failing (3 failures in slot 1 since the change): " + exit1, false},
		{"unlimited: two quick failures are not yet", nil,
			[]cvTask{cvFailed("f1"), cvFailed("f2"), pendingRetry}, 0, "", false},
		{"failures before the change do not count", nil,
			[]cvTask{cvFailed("f1"), cvFailed("f2"), cvFailed("f3"), pendingRetry}, 3, "", false},
		{"a windowed limit may never run out, so crash loops count", windowed,
			[]cvTask{cvFailed("f1"), cvFailed("f2"), cvFailed("f3"), pendingRetry}, 0, "tasks keep failing (3 failures", false},
		{"a limit above the crash loop count waits for the policy", restartPolicy(swarm.RestartPolicyConditionAny, 5),
			[]cvTask{cvFailed("f1"), cvFailed("f2"), cvFailed("f3"), pendingRetry}, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := cvPoll(1, 1, nil, tt.tasks...)
			obs.service.Spec.TaskTemplate.RestartPolicy = tt.policy
			obs.since = cvStart
			for i := range obs.tasks {
				obs.tasks[i].Meta.CreatedAt = cvStart.Add(time.Duration(i) * time.Second)
				if i < tt.beforeTill {
					obs.tasks[i].Meta.CreatedAt = cvStart.Add(-time.Hour)
				}
			}
			got, ok := slotTrouble("slot 1", obs.tasks, obs)
			if ok != (tt.want != "") || !strings.Contains(got.reason, tt.want) || got.settle != tt.settle {
				t.Errorf("got %+v (trouble %v), want %q settle=%v", got, ok, tt.want, tt.settle)
			}
		})
	}
}

func TestFailuresInARowResetByATaskThatStayedUp(t *testing.T) {
	obs := cvPoll(1, 1, nil,
		cvFailed("f1"), cvFailed("f2"),
		cvTask{id: "long", slot: 1, desired: shutdown, state: failed, err: exit1, at: 30 * time.Second},
		cvFailed("f3"))
	started := map[string]time.Time{"long": cvStart.Add(10 * time.Second)} // up for 20 s
	if n := failuresInARow(obs.tasks, started, 5*time.Second); n != 1 {
		t.Errorf("%d failures in a row, want 1: the long-lived task resets the count", n)
	}
	if n := failuresInARow(obs.tasks, nil, 5*time.Second); n != 4 {
		t.Errorf("%d failures in a row without start times, want 4", n)
	}
}

func TestWatcherFailingSlots(t *testing.T) {
	status := func(s swarm.UpdateState) *swarm.UpdateStatus {
		return &swarm.UpdateStatus{State: s, Message: "engine says"}
	}
	retry := func(id string, state swarm.TaskState) cvTask {
		return cvTask{id: id, slot: 1, desired: running, state: state, fresh: true}
	}
	f1, f2, f3, f4 := cvFailed("f1"), cvFailed("f2"), cvFailed("f3"), cvFailed("f4")
	tests := []struct {
		name    string
		action  string
		policy  *swarm.RestartPolicy
		job     bool
		steps   []cvStep
		want    VerdictKind // 0: no verdict by the last step
		wantMsg string
		atStep  int
	}{
		{
			name: "create, max attempts exhausted: failed once the slot stays empty", action: "create",
			policy: restartPolicy(swarm.RestartPolicyConditionOnFailure, 2),
			steps: []cvStep{
				{0, nil, []cvTask{f1, retry("f2", pending)}},
				{time.Second, nil, []cvTask{f1, f2, retry("f3", starting)}},
				{2 * time.Second, nil, []cvTask{f1, f2, f3}},
				{2500 * time.Millisecond, nil, []cvTask{f1, f2, f3}},
				{3 * time.Second, nil, []cvTask{f1, f2, f3}},
			},
			want: Failed, wantMsg: "restart policy gave up after 2 attempts in slot 1: " + exit1, atStep: 4,
		},
		{
			name: "a replacement within the settle time starts the wait over", action: "create",
			policy: restartPolicy(swarm.RestartPolicyConditionOnFailure, 2),
			steps: []cvStep{
				{0, nil, []cvTask{f1, f2, f3}},
				{500 * time.Millisecond, nil, []cvTask{f1, f2, f3, retry("f4", pending)}},
				{1500 * time.Millisecond, nil, []cvTask{f1, f2, f3, f4}},
				{2 * time.Second, nil, []cvTask{f1, f2, f3, f4}},
				{2500 * time.Millisecond, nil, []cvTask{f1, f2, f3, f4}},
			},
			want: Failed, wantMsg: "gave up", atStep: 4,
		},
		{
			name: "crash loop with unlimited restarts: failed at the third failure", action: "create",
			steps: []cvStep{
				{0, nil, []cvTask{f1, retry("f2", pending)}},
				{time.Second, nil, []cvTask{f1, retry("f2", running)}},
				{2 * time.Second, nil, []cvTask{f1, f2, retry("f3", starting)}},
				{3 * time.Second, nil, []cvTask{f1, f2, f3, retry("r4", pending)}},
			},
			want: Failed, wantMsg: "tasks keep failing (3 failures in slot 1 since the change): " + exit1, atStep: 3,
		},
		{
			name: "one failure, then running: converged", action: "create",
			policy: restartPolicy(swarm.RestartPolicyConditionOnFailure, 1),
			steps: []cvStep{
				{0, nil, []cvTask{f1, retry("r2", pending)}},
				{time.Second, nil, []cvTask{f1, retry("r2", running)}},
				{2 * time.Second, nil, []cvTask{f1, retry("r2", running)}},
			},
			want: Converged, atStep: 2,
		},
		{
			name: "a scale whose new slot crash-loops", action: ActionScale,
			steps: []cvStep{
				{0, nil, []cvTask{f1, f2, f3, retry("r4", pending)}},
			},
			want: Failed, wantMsg: "tasks keep failing", atStep: 0,
		},
		{
			name: "a forced restart that completed into a crash loop", action: ActionRestart,
			steps: []cvStep{
				{0, status(swarm.UpdateStateCompleted), []cvTask{f1, f2, f3, retry("r4", pending)}},
			},
			want: Failed, wantMsg: "tasks keep failing", atStep: 0,
		},
		{
			name: "an update in flight leaves failures to the engine's failure action", action: ActionImage,
			steps: []cvStep{
				{0, status(swarm.UpdateStateUpdating), []cvTask{f1, f2, f3, retry("r4", pending)}},
				{time.Second, status(swarm.UpdateStateUpdating), []cvTask{f1, f2, f3, f4, retry("r5", pending)}},
				{2 * time.Second, status(swarm.UpdateStatePaused), []cvTask{f1, f2, f3, f4, retry("r5", pending)}},
			},
			want: Paused, wantMsg: "engine says", atStep: 2,
		},
		{
			name: "a job keeps its own rules: unlimited restarts wait on", action: "create", job: true,
			steps: []cvStep{
				{0, nil, []cvTask{f1, f2, f3, retry("r4", pending)}},
				{time.Second, nil, []cvTask{f1, f2, f3, f4}},
				{3 * time.Second, nil, []cvTask{f1, f2, f3, f4}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newChangeWatcher(Change{Service: "web", Action: tt.action, Version: 10})
			for i, s := range tt.steps {
				obs := cvFailingPoll(tt.policy, tt.job, s.status, s.tasks)
				_, v, _ := w.step(obs, cvStart.Add(s.at))
				if v == nil {
					continue
				}
				if tt.want == 0 || i != tt.atStep {
					t.Fatalf("verdict %s %q at step %d, want %s at step %d", v.Kind, v.Message, i, tt.want, tt.atStep)
				}
				if v.Kind != tt.want || !strings.Contains(v.Message, tt.wantMsg) {
					t.Errorf("verdict %s %q, want %s %q", v.Kind, v.Message, tt.want, tt.wantMsg)
				}
				return
			}
			if tt.want != 0 {
				t.Fatalf("no verdict after %d steps, want %s", len(tt.steps), tt.want)
			}
		})
	}
}

// cvFailingPoll is a one-replica service (or a one-completion job) at
// version 10 with a 1 s monitor window and this restart policy.
func cvFailingPoll(policy *swarm.RestartPolicy, job bool, status *swarm.UpdateStatus, tasks []cvTask) servicePoll {
	svc := cvPollWithMonitor(status, nil).service
	svc.Spec.TaskTemplate.RestartPolicy = policy
	if job {
		one := uint64(1)
		svc.Spec.Mode = swarm.ServiceMode{ReplicatedJob: &swarm.ReplicatedJob{TotalCompletions: &one}}
		svc.JobStatus = &swarm.JobStatus{JobIteration: swarm.Version{Index: 1}}
	}
	return cvObserve(svc, tasks...)
}
