package swarm_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	sw "github.com/swarmtop/swarmtop/swarm"
)

// Engine tests of the act and converge verbs. Each test runs its own stack
// of stand-in services built to move fast: no drain on stop, every task
// updated at once, a 1 s monitor window.

func TestScaleConverges(t *testing.T) {
	t.Parallel()
	e, stack, ctx := actSetup(t)
	id := actCreate(ctx, t, e, actSpec(stack, "web", "swarmtop/standin:1", 1))

	changes, err := e.Scale(ctx, stack, map[string]uint64{"web": 3})
	if err != nil {
		t.Fatalf("scale: %v", err)
	}
	if len(changes) != 1 || changes[0].Before != "1" || changes[0].After != "3" || changes[0].Service != "web" {
		t.Fatalf("changes = %+v, want web 1 → 3", changes)
	}
	v := actConverge(ctx, t, e, changes)[0]
	if v.Kind != sw.Converged || !v.OK() {
		t.Fatalf("verdict = %+v, want converged", v)
	}
	if n := len(actRunning(ctx, t, e, id)); n != 3 {
		t.Errorf("%d tasks running, want 3", n)
	}
}

func TestScaleRetriesAfterConcurrentWrite(t *testing.T) {
	t.Parallel()
	e, stack, ctx := actSetup(t)
	id := actCreate(ctx, t, e, actSpec(stack, "web", "swarmtop/standin:1", 1))

	// Another writer slips a label change in between Scale's inspect and
	// its update, so the first update carries a stale version.
	var attempts atomic.Int32
	remove := sw.SetBeforeUpdateHook(id, func(attempt int) {
		attempts.Add(1)
		if attempt == 1 {
			actBumpLabel(ctx, t, e, id, "concurrent", "writer")
		}
	})
	defer remove()

	changes, err := e.Scale(ctx, stack, map[string]uint64{"web": 3})
	if err != nil {
		t.Fatalf("scale: %v", err)
	}
	if got := attempts.Load(); got != 2 {
		t.Errorf("%d update attempts, want 2 (one stale, one retry)", got)
	}
	svc := actInspect(ctx, t, e, id)
	if got := svc.Spec.Labels["concurrent"]; got != "writer" {
		t.Errorf("the concurrent writer's label is %q, want writer: the retry overwrote it", got)
	}
	if r := svc.Spec.Mode.Replicated.Replicas; r == nil || *r != 3 {
		t.Errorf("replicas = %v, want 3", r)
	}
	if changes[0].Version != svc.Meta.Version.Index {
		t.Errorf("change version %d, service version %d", changes[0].Version, svc.Meta.Version.Index)
	}
}

func TestRestartReplacesEveryTask(t *testing.T) {
	t.Parallel()
	e, stack, ctx := actSetup(t)
	id := actCreate(ctx, t, e, actSpec(stack, "web", "swarmtop/standin:1", 2))
	before := actRunning(ctx, t, e, id)

	changes, err := e.Restart(ctx, stack, []string{stack + "_web"}) // the full name works too
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	if c := changes[0]; c.Service != "web" || c.Before != "0" || c.After != "1" {
		t.Errorf("change = %+v, want web force update 0 → 1", c)
	}
	if v := actConverge(ctx, t, e, changes)[0]; v.Kind != sw.Converged {
		t.Fatalf("verdict = %+v, want converged", v)
	}
	after := actRunning(ctx, t, e, id)
	if len(after) != 2 {
		t.Fatalf("%d tasks running after restart, want 2", len(after))
	}
	for _, old := range before {
		for _, now := range after {
			if old.ID == now.ID {
				t.Errorf("task %s survived the restart", old.ID)
			}
		}
	}
}

func TestSetImageConverges(t *testing.T) {
	t.Parallel()
	e, stack, ctx := actSetup(t)
	id := actCreate(ctx, t, e, actSpec(stack, "web", "swarmtop/standin:1", 1))

	change, err := e.SetImage(ctx, stack, "web", "swarmtop/standin:2")
	if err != nil {
		t.Fatalf("set image: %v", err)
	}
	if change.Before != "swarmtop/standin:1" || change.After != "swarmtop/standin:2" {
		t.Errorf("change = %+v, want standin:1 → standin:2", change)
	}
	if v := actConverge(ctx, t, e, []sw.Change{change})[0]; v.Kind != sw.Converged {
		t.Fatalf("verdict = %+v, want converged", v)
	}
	svc := actInspect(ctx, t, e, id)
	if got := svc.Spec.Labels[sw.ImageLabel]; got != "swarmtop/standin:2" {
		t.Errorf("image label = %q, want it moved with the image", got)
	}
	running := actRunning(ctx, t, e, id)
	if len(running) != 1 || !strings.HasPrefix(running[0].Spec.ContainerSpec.Image, "swarmtop/standin:2") {
		t.Fatalf("running tasks %v do not run standin:2", running)
	}
	actWaitLog(ctx, t, e, running[0].ID, "version 2")
}

func TestReleaseMovesStackTag(t *testing.T) {
	t.Parallel()
	e, stack, ctx := actSetup(t)
	web := actCreate(ctx, t, e, actSpec(stack, "web", "swarmtop/standin:1", 1))
	worker := actCreate(ctx, t, e, actSpec(stack, "worker", "swarmtop/standin:1", 1))
	cache := actCreate(ctx, t, e, actSpec(stack, "cache", "swarmtop/standin:2", 1))

	changes, skipped, err := e.Release(ctx, stack, "2", "") // "1" is the tag most services share
	if err != nil {
		t.Fatalf("release: %v", err)
	}
	if len(changes) != 2 || changes[0].Service != "web" || changes[1].Service != "worker" {
		t.Fatalf("changes = %+v, want web and worker", changes)
	}
	if len(skipped) != 1 || skipped[0].Service != "cache" || !strings.Contains(skipped[0].Reason, "tag 2") {
		t.Errorf("skipped = %+v, want cache, on tag 2", skipped)
	}
	for _, v := range actConverge(ctx, t, e, changes) {
		if v.Kind != sw.Converged {
			t.Errorf("verdict = %+v, want converged", v)
		}
	}
	for _, id := range []string{web, worker, cache} {
		spec := actInspect(ctx, t, e, id).Spec
		if img := spec.TaskTemplate.ContainerSpec.Image; !strings.HasPrefix(img, "swarmtop/standin:2") {
			t.Errorf("%s runs %s, want standin:2", spec.Name, img)
		}
		if label := spec.Labels[sw.ImageLabel]; label != "swarmtop/standin:2" {
			t.Errorf("%s image label = %q, want swarmtop/standin:2", spec.Name, label)
		}
	}
}

func TestFailingImageChangeRollsBack(t *testing.T) {
	t.Parallel()
	e, stack, ctx := actSetup(t)
	spec := actSpec(stack, "web", "swarmtop/standin:1", 1)
	spec.UpdateConfig.FailureAction = swarm.UpdateFailureActionRollback
	spec.UpdateConfig.Monitor = 5 * time.Second
	id := actCreate(ctx, t, e, spec)

	// A new image that dies a second after it starts, in one update.
	change, err := e.UpdateServiceForTest(ctx, id, func(s *swarm.ServiceSpec) error {
		s.TaskTemplate.ContainerSpec.Image = "swarmtop/standin:2"
		s.TaskTemplate.ContainerSpec.Env = append(s.TaskTemplate.ContainerSpec.Env, "STANDIN_FAIL_AFTER=1s", "STANDIN_FAIL_MODE=exit")
		return nil
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	v := actConverge(ctx, t, e, []sw.Change{change})[0]
	if v.Kind != sw.RolledBack || v.OK() {
		t.Fatalf("verdict = %+v, want rolled back", v)
	}
	if !strings.Contains(v.Message, "rolled back") {
		t.Errorf("message %q does not say why", v.Message)
	}
	if !strings.Contains(strings.Join(v.TaskErrors, "\n"), "non-zero exit") {
		t.Errorf("task errors %q lack the exit", v.TaskErrors)
	}
	if img := actInspect(ctx, t, e, id).Spec.TaskTemplate.ContainerSpec.Image; !strings.HasPrefix(img, "swarmtop/standin:1") {
		t.Errorf("after the rollback the service runs %s, want standin:1", img)
	}
}

// An image tag the engine cannot get fails every new task; with
// failure_action rollback the engine restores the old image by itself, and
// the verdict says so.
func TestSetImageToMissingTagRollsBack(t *testing.T) {
	t.Parallel()
	e, stack, ctx := actSetup(t)
	spec := actSpec(stack, "web", "swarmtop/standin:1", 1)
	spec.UpdateConfig.FailureAction = swarm.UpdateFailureActionRollback
	id := actCreate(ctx, t, e, spec)

	change, err := e.SetImage(ctx, stack, "web", "swarmtop/standin:no-such-tag")
	if err != nil {
		t.Fatalf("set image: %v", err)
	}
	v := actConverge(ctx, t, e, []sw.Change{change})[0]
	if v.Kind != sw.RolledBack || v.OK() {
		t.Fatalf("verdict = %+v, want rolled back", v)
	}
	if !strings.Contains(v.Message, "rolled back") {
		t.Errorf("message %q does not say why", v.Message)
	}
	if errs := strings.Join(v.TaskErrors, "\n"); !strings.Contains(errs, "No such image") {
		t.Errorf("task errors %q do not say the image is missing", v.TaskErrors)
	}
	if img := actInspect(ctx, t, e, id).Spec.TaskTemplate.ContainerSpec.Image; !strings.HasPrefix(img, "swarmtop/standin:1") {
		t.Errorf("after the rollback the service runs %s, want standin:1", img)
	}
	running := actRunning(ctx, t, e, id)
	if len(running) != 1 || !strings.HasPrefix(running[0].Spec.ContainerSpec.Image, "swarmtop/standin:1") {
		t.Errorf("running tasks %v, want one on standin:1", running)
	}
}

func TestRollbackRestoresPreviousImage(t *testing.T) {
	t.Parallel()
	e, stack, ctx := actSetup(t)
	id := actCreate(ctx, t, e, actSpec(stack, "web", "swarmtop/standin:1", 1))
	change, err := e.SetImage(ctx, stack, "web", "swarmtop/standin:2")
	if err != nil {
		t.Fatalf("set image: %v", err)
	}
	if v := actConverge(ctx, t, e, []sw.Change{change})[0]; v.Kind != sw.Converged {
		t.Fatalf("set image verdict = %+v", v)
	}

	changes, err := e.Rollback(ctx, stack, []string{"web"})
	if err != nil {
		t.Fatalf("rollback: %v", err)
	}
	if c := changes[0]; !strings.HasPrefix(c.Before, "swarmtop/standin:2") || !strings.HasPrefix(c.After, "swarmtop/standin:1") {
		t.Errorf("change = %+v, want standin:2 → standin:1", c)
	}
	if v := actConverge(ctx, t, e, changes)[0]; v.Kind != sw.Converged {
		t.Fatalf("rollback verdict = %+v, want converged", v)
	}
	running := actRunning(ctx, t, e, id)
	if len(running) != 1 || !strings.HasPrefix(running[0].Spec.ContainerSpec.Image, "swarmtop/standin:1") {
		t.Errorf("running tasks %v do not run standin:1", running)
	}
}

func TestRollbackWithoutPreviousSpecIsRefused(t *testing.T) {
	t.Parallel()
	e, stack, ctx := actSetup(t)
	actCreateOnly(ctx, t, e, actSpec(stack, "web", "swarmtop/standin:1", 1))

	_, err := e.Rollback(ctx, stack, []string{"web"})
	var refused *sw.RefusedError
	if !errors.As(err, &refused) || refused.ExitCode() != 2 {
		t.Fatalf("err = %v, want a refusal with exit code 2", err)
	}
	for _, want := range []string{"roll back web", "no previous spec"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestScaleGlobalIsRefused(t *testing.T) {
	t.Parallel()
	e, stack, ctx := actSetup(t)
	spec := actSpec(stack, "agent", "swarmtop/standin:1", 0)
	spec.Mode = swarm.ServiceMode{Global: &swarm.GlobalService{}}
	id := actCreateOnly(ctx, t, e, spec)
	version := actInspect(ctx, t, e, id).Meta.Version.Index

	changes, err := e.Scale(ctx, stack, map[string]uint64{"agent": 3})
	var refused *sw.RefusedError
	if !errors.As(err, &refused) || refused.ExitCode() != 2 || !strings.Contains(err.Error(), "global") {
		t.Fatalf("err = %v, want a refusal naming the global mode", err)
	}
	if len(changes) != 0 || actInspect(ctx, t, e, id).Meta.Version.Index != version {
		t.Errorf("a refused scale wrote to the service")
	}
}

func TestScaleUnknownServiceChangesNothing(t *testing.T) {
	t.Parallel()
	e, stack, ctx := actSetup(t)
	id := actCreateOnly(ctx, t, e, actSpec(stack, "web", "swarmtop/standin:1", 1))
	version := actInspect(ctx, t, e, id).Meta.Version.Index

	_, err := e.Scale(ctx, stack, map[string]uint64{"web": 2, "wbe": 2})
	var missing *sw.ServiceNotFoundError
	if !errors.As(err, &missing) || missing.ExitCode() != 2 {
		t.Fatalf("err = %v, want service not found", err)
	}
	if actInspect(ctx, t, e, id).Meta.Version.Index != version {
		t.Errorf("web was scaled although another name was unknown")
	}
}

func TestJobVerdicts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      []string
		restart  *swarm.RestartPolicy
		want     sw.VerdictKind
		wantErrs string
	}{
		{"completes", []string{"STANDIN_MIGRATE_TIME=500ms"}, nil, sw.Converged, ""},
		{"fails", []string{"STANDIN_MIGRATE_TIME=5s", "STANDIN_FAIL_AFTER=300ms"},
			&swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone}, sw.Failed, "non-zero exit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, stack, ctx := actSetup(t)
			spec := actSpec(stack, "migrate", "swarmtop/standin:1", 0)
			two := uint64(2)
			spec.Mode = swarm.ServiceMode{ReplicatedJob: &swarm.ReplicatedJob{MaxConcurrent: &two, TotalCompletions: &two}}
			spec.UpdateConfig = nil // jobs may not have one
			spec.TaskTemplate.ContainerSpec.Args = []string{"migrate"}
			spec.TaskTemplate.ContainerSpec.Env = append(spec.TaskTemplate.ContainerSpec.Env, tt.env...)
			spec.TaskTemplate.RestartPolicy = tt.restart
			// Swarm never reaps the tasks of a removed job, and the stack
			// cleanup waits a minute for labelled tasks to go: the job
			// goes without the stack label and is removed here.
			delete(spec.Labels, sw.NamespaceLabel)
			id := actCreateOnly(ctx, t, e, spec)
			t.Cleanup(func() { _, _ = e.Client().ServiceRemove(context.Background(), id, client.ServiceRemoveOptions{}) })

			v := actConverge(ctx, t, e, []sw.Change{actCreated(ctx, t, e, id)})[0]
			if v.Kind != tt.want {
				t.Fatalf("verdict = %+v, want %s", v, tt.want)
			}
			if errs := strings.Join(v.TaskErrors, "\n"); !strings.Contains(errs, tt.wantErrs) || (tt.wantErrs == "") != (errs == "") {
				t.Errorf("task errors %q, want %q", v.TaskErrors, tt.wantErrs)
			}
		})
	}
}

// A created service has no UpdateStatus to report its failure: the wait
// must end once the restart policy gives up, not run on for ever.
func TestConvergeFailsWhenRestartPolicyGivesUp(t *testing.T) {
	t.Parallel()
	e, stack, ctx := actSetup(t)
	spec := actSpec(stack, "web", "swarmtop/standin:1", 1)
	spec.TaskTemplate.ContainerSpec.Env = append(spec.TaskTemplate.ContainerSpec.Env, "STANDIN_FAIL_AFTER=1s", "STANDIN_FAIL_MODE=exit")
	one, delay := uint64(1), 500*time.Millisecond
	spec.TaskTemplate.RestartPolicy = &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionOnFailure, MaxAttempts: &one, Delay: &delay}
	// The stability window must outlast the 1 s the task runs, or the
	// service rightly converges before its first failure.
	spec.UpdateConfig.Monitor = 5 * time.Second
	id := actCreateOnly(ctx, t, e, spec)

	waitCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v := actConverge(waitCtx, t, e, []sw.Change{actCreated(ctx, t, e, id)})[0]
	if v.Kind != sw.Failed {
		t.Fatalf("verdict = %+v, want failed within 20 s", v)
	}
	if !strings.Contains(v.Message, "restart policy gave up after 1 attempt in slot 1") {
		t.Errorf("message %q does not say the restart policy gave up", v.Message)
	}
	if !strings.Contains(strings.Join(v.TaskErrors, "\n"), "non-zero exit") {
		t.Errorf("task errors %q lack the exit", v.TaskErrors)
	}
}

// actSetup gives a test the engine, its own stack and a deadline.
func actSetup(t *testing.T) (*sw.Engine, string, context.Context) {
	t.Helper()
	return engineSetup(t, 2*time.Minute)
}

// actSpec is a stand-in service that stops at once and updates every task
// together with a 1 s monitor window, so tests spend little time waiting.
func actSpec(stack, name, image string, replicas uint64) swarm.ServiceSpec {
	stop := time.Second
	return swarm.ServiceSpec{
		Annotations: swarm.Annotations{
			Name:   stack + "_" + name,
			Labels: map[string]string{sw.NamespaceLabel: stack, sw.ImageLabel: image},
		},
		Mode: swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &replicas}},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &swarm.ContainerSpec{
				Image:           image,
				Args:            []string{"web"},
				Env:             []string{"STANDIN_DRAIN=0s"},
				StopGracePeriod: &stop,
				Labels:          map[string]string{sw.NamespaceLabel: stack},
			},
		},
		UpdateConfig:   &swarm.UpdateConfig{Monitor: time.Second, FailureAction: swarm.UpdateFailureActionPause},
		RollbackConfig: &swarm.UpdateConfig{Monitor: time.Second},
	}
}

// actCreateOnly creates a service without waiting for it.
func actCreateOnly(ctx context.Context, t *testing.T, e *sw.Engine, spec swarm.ServiceSpec) string {
	t.Helper()
	res, err := e.Client().ServiceCreate(ctx, client.ServiceCreateOptions{Spec: spec})
	if err != nil {
		t.Fatalf("create %s: %v", spec.Name, err)
	}
	return res.ID
}

// actCreate creates a service and waits until it converged, following it
// the way a deploy follows a service it created.
func actCreate(ctx context.Context, t *testing.T, e *sw.Engine, spec swarm.ServiceSpec) string {
	t.Helper()
	id := actCreateOnly(ctx, t, e, spec)
	if v := actConverge(ctx, t, e, []sw.Change{actCreated(ctx, t, e, id)})[0]; v.Kind != sw.Converged {
		t.Fatalf("new service %s did not converge: %+v", spec.Name, v)
	}
	return id
}

// actCreated is the change a deploy reports for a service it created.
func actCreated(ctx context.Context, t *testing.T, e *sw.Engine, id string) sw.Change {
	t.Helper()
	svc := actInspect(ctx, t, e, id)
	return sw.Change{ServiceID: id, Service: svc.Spec.Name, Action: "create", Version: svc.Meta.Version.Index}
}

func actConverge(ctx context.Context, t *testing.T, e *sw.Engine, changes []sw.Change) []sw.Verdict {
	t.Helper()
	start := time.Now()
	verdicts := e.Converge(ctx, changes, sw.ConvergeOptions{PollInterval: 250 * time.Millisecond}, nil)
	for _, v := range verdicts {
		t.Logf("%s: %s in %s: %s %q", v.Service, v.Kind, v.Elapsed.Round(time.Millisecond), v.Message, v.TaskErrors)
	}
	t.Logf("converge took %s", time.Since(start).Round(time.Millisecond))
	return verdicts
}

func actInspect(ctx context.Context, t *testing.T, e *sw.Engine, id string) swarm.Service {
	t.Helper()
	res, err := e.Client().ServiceInspect(ctx, id, client.ServiceInspectOptions{})
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	return res.Service
}

// actRunning lists the tasks that run and are meant to.
func actRunning(ctx context.Context, t *testing.T, e *sw.Engine, id string) []swarm.Task {
	t.Helper()
	f := make(client.Filters).Add("service", id).Add("desired-state", "running")
	res, err := e.Client().TaskList(ctx, client.TaskListOptions{Filters: f})
	if err != nil {
		t.Fatalf("task list: %v", err)
	}
	var running []swarm.Task
	for _, task := range res.Items {
		if task.Status.State == swarm.TaskStateRunning {
			running = append(running, task)
		}
	}
	return running
}

// actBumpLabel is the concurrent writer: its own read-modify-write.
func actBumpLabel(ctx context.Context, t *testing.T, e *sw.Engine, id, key, value string) {
	t.Helper()
	svc := actInspect(ctx, t, e, id)
	svc.Spec.Labels[key] = value
	if _, err := e.Client().ServiceUpdate(ctx, id, client.ServiceUpdateOptions{Version: svc.Meta.Version, Spec: svc.Spec}); err != nil {
		t.Errorf("concurrent write: %v", err)
	}
}

// actWaitLog waits until a task's log shows want: the first lines may lag
// the running state by a moment.
func actWaitLog(ctx context.Context, t *testing.T, e *sw.Engine, taskID, want string) {
	t.Helper()
	var out bytes.Buffer
	for ctx.Err() == nil {
		out.Reset()
		rc, err := e.Client().TaskLogs(ctx, taskID, client.TaskLogsOptions{ShowStdout: true, ShowStderr: true})
		if err != nil {
			t.Fatalf("task logs: %v", err)
		}
		_, err = stdcopy.StdCopy(&out, &out, rc)
		rc.Close()
		if err == nil && strings.Contains(out.String(), want) {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Errorf("task log never showed %q:\n%s", want, out.String())
}
