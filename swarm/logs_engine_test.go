package swarm_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/internal/enginetest"
	sw "github.com/swarmtop/swarmtop/swarm"
)

// logsSpec is a stand-in service that logs at rate lines a second and stops
// quickly (a short drain), so updates in these tests are fast.
func logsSpec(stack, name, role string, replicas uint64, env ...string) swarm.ServiceSpec {
	return swarm.ServiceSpec{
		Annotations: swarm.Annotations{
			Name:   stack + "_" + name,
			Labels: map[string]string{enginetest.NamespaceLabel: stack},
		},
		Mode: swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &replicas}},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &swarm.ContainerSpec{
				Image: "swarmtop/standin:1",
				Args:  []string{role},
				Env:   append([]string{"STANDIN_LOG_RATE=20", "STANDIN_DRAIN=100ms"}, env...),
			},
		},
	}
}

func logsCreate(ctx context.Context, t *testing.T, api *client.Client, spec swarm.ServiceSpec) string {
	t.Helper()
	res, err := api.ServiceCreate(ctx, client.ServiceCreateOptions{Spec: spec})
	if err != nil {
		t.Fatalf("create %s: %v", spec.Name, err)
	}
	return res.ID
}

// logsStartWeb creates the stack's web service with one stand-in task and
// waits for the task to run; it returns the service's ID and the task.
func logsStartWeb(ctx context.Context, t *testing.T, api *client.Client, stack string) (string, swarm.Task) {
	t.Helper()
	id := logsCreate(ctx, t, api, logsSpec(stack, "web", "web", 1))
	return id, logsWaitTasks(ctx, t, api, id, 1, "swarmtop/standin:1")[0]
}

// logsWaitTasks waits until the service has n tasks in state running with
// the given image, and every other task of it has ended; it returns them.
func logsWaitTasks(ctx context.Context, t *testing.T, api *client.Client, serviceID string, n int, image string) []swarm.Task {
	t.Helper()
	f := make(client.Filters).Add("service", serviceID)
	for ctx.Err() == nil {
		res, err := api.TaskList(ctx, client.TaskListOptions{Filters: f})
		if err != nil {
			t.Fatalf("task list: %v", err)
		}
		var running []swarm.Task
		settled := true
		for _, task := range res.Items {
			switch {
			case task.Status.State == swarm.TaskStateRunning && task.Spec.ContainerSpec.Image == image:
				running = append(running, task)
			case task.Status.State == swarm.TaskStateRunning, task.DesiredState == swarm.TaskStateRunning:
				settled = false
			}
		}
		if settled && len(running) == n {
			return running
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("service %s never had %d running tasks of %s", serviceID, n, image)
	return nil
}

func logsSetImage(ctx context.Context, t *testing.T, api *client.Client, serviceID, image string) {
	t.Helper()
	res, err := api.ServiceInspect(ctx, serviceID, client.ServiceInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svc := res.Service
	svc.Spec.TaskTemplate.ContainerSpec.Image = image
	if _, err := api.ServiceUpdate(ctx, svc.ID, client.ServiceUpdateOptions{Version: svc.Version, Spec: svc.Spec}); err != nil {
		t.Fatalf("update image: %v", err)
	}
}

func logsHostname(ctx context.Context, t *testing.T, api *client.Client) string {
	t.Helper()
	res, err := api.NodeList(ctx, client.NodeListOptions{})
	if err != nil || len(res.Items) == 0 {
		t.Fatalf("node list: %v", err)
	}
	return res.Items[0].Description.Hostname
}

// readLogLines reads a stream to its end.
func readLogLines(t *testing.T, s *sw.LogStream) []sw.LogLine {
	t.Helper()
	var lines []sw.LogLine
	for l := range s.Lines() {
		lines = append(lines, l)
	}
	if err := s.Err(); err != nil {
		t.Fatalf("log stream: %v", err)
	}
	return lines
}

func logsRead(ctx context.Context, t *testing.T, e *sw.Engine, stack string, opts sw.LogOptions) []sw.LogLine {
	t.Helper()
	s, err := e.Logs(ctx, stack, opts)
	if err != nil {
		t.Fatalf("Logs(%+v): %v", opts, err)
	}
	defer s.Close()
	return readLogLines(t, s)
}

func countByPrefix(lines []sw.LogLine) map[string]int {
	n := map[string]int{}
	for _, l := range lines {
		n[l.Prefix()]++
	}
	return n
}

func TestLogsMergesServicesInTimeOrder(t *testing.T) {
	t.Parallel()
	e, stack, ctx := engineSetup(t, 60*time.Second)
	api := e.Client()
	web := logsCreate(ctx, t, api, logsSpec(stack, "web", "web", 2))
	worker := logsCreate(ctx, t, api, logsSpec(stack, "worker", "celery-worker", 1))
	logsWaitTasks(ctx, t, api, web, 2, "swarmtop/standin:1")
	logsWaitTasks(ctx, t, api, worker, 1, "swarmtop/standin:1")
	time.Sleep(time.Second) // some traffic lines after the startup banners
	host := logsHostname(ctx, t, api)

	lines := logsRead(ctx, t, e, stack, sw.LogOptions{Services: []string{"web", stack + "_worker"}, Tail: -1})
	got := countByPrefix(lines)
	for _, want := range []string{"web.1@" + host, "web.2@" + host, "worker.1@" + host} {
		if got[want] == 0 {
			t.Errorf("no lines from %s; got %v", want, got)
		}
	}
	if !slices.IsSortedFunc(lines, func(a, b sw.LogLine) int { return a.Time.Compare(b.Time) }) {
		t.Error("merged lines are not in time order")
	}

	t.Run("whole stack with tail", func(t *testing.T) {
		lines := logsRead(ctx, t, e, stack, sw.LogOptions{Tail: 3})
		got := countByPrefix(lines)
		want := map[string]int{"web.1@" + host: 3, "web.2@" + host: 3, "worker.1@" + host: 3}
		if len(got) != len(want) || got["web.1@"+host] != 3 || got["web.2@"+host] != 3 || got["worker.1@"+host] != 3 {
			t.Errorf("lines per task = %v, want %v", got, want)
		}
	})

	t.Run("unknown service", func(t *testing.T) {
		_, err := e.Logs(ctx, stack, sw.LogOptions{Services: []string{"nope"}})
		var nf *sw.ServiceNotFoundError
		if !errors.As(err, &nf) || nf.ExitCode() != 2 {
			t.Errorf("err = %v, want ServiceNotFoundError", err)
		}
	})
}

var standinVersion = regexp.MustCompile(`standin version (\d)`)

// versionsIn lists the stand-in versions the lines announce.
func versionsIn(lines []sw.LogLine) []string {
	var v []string
	for _, l := range lines {
		if m := standinVersion.FindStringSubmatch(l.Text); m != nil {
			v = append(v, m[1])
		}
	}
	return v
}

func TestLogsTailSkipsDeadTasks(t *testing.T) {
	t.Parallel()
	e, stack, ctx := engineSetup(t, 60*time.Second)
	api := e.Client()
	id, _ := logsStartWeb(ctx, t, api, stack)
	time.Sleep(500 * time.Millisecond)
	logsSetImage(ctx, t, api, id, "swarmtop/standin:2")
	current := logsWaitTasks(ctx, t, api, id, 1, "swarmtop/standin:2")[0]
	time.Sleep(time.Second)

	tail := logsRead(ctx, t, e, stack, sw.LogOptions{Services: []string{"web"}, Tail: 5})
	if len(tail) != 5 {
		t.Errorf("tail 5 gave %d lines, want 5 from the one running task", len(tail))
	}
	for _, l := range tail {
		if l.TaskID != current.ID {
			t.Errorf("line from task %s, want only the running task %s: %q", l.TaskID, current.ID, l.Text)
		}
	}

	all := logsRead(ctx, t, e, stack, sw.LogOptions{Services: []string{"web"}, Tail: -1})
	if v := versionsIn(all); !slices.Equal(v, []string{"2"}) {
		t.Errorf("versions announced in the running task's log = %v, want [2] (no dead task)", v)
	}
	history := logsRead(ctx, t, e, stack, sw.LogOptions{Services: []string{"web"}, Tail: -1, AllTasks: true})
	if v := versionsIn(history); !slices.Equal(v, []string{"1", "2"}) {
		t.Errorf("with AllTasks, versions in time order = %v, want [1 2]", v)
	}
}

func TestLogsFollowContinuesAfterTaskReplaced(t *testing.T) {
	t.Parallel()
	e, stack, ctx := engineSetup(t, 60*time.Second)
	api := e.Client()
	id, first := logsStartWeb(ctx, t, api, stack)

	s, err := e.Logs(ctx, stack, sw.LogOptions{Services: []string{"web"}, Follow: true, Tail: 0})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	waitLine(t, s, "a line from the first task", func(l sw.LogLine) bool { return l.TaskID == first.ID })
	logsSetImage(ctx, t, api, id, "swarmtop/standin:2")
	waitLine(t, s, "the new task's version 2 banner", func(l sw.LogLine) bool {
		return l.TaskID != first.ID && strings.Contains(l.Text, "standin version 2")
	})
	waitLine(t, s, "traffic from the new task", func(l sw.LogLine) bool {
		return l.TaskID != first.ID && strings.Contains(l.Text, "HTTP/1.1")
	})
	s.Close()
	if err := s.Err(); err != nil {
		t.Errorf("Err after Close = %v", err)
	}
}

// waitLine reads the stream until a line matches, failing after 40 s.
func waitLine(t *testing.T, s *sw.LogStream, what string, match func(sw.LogLine) bool) {
	t.Helper()
	deadline := time.After(40 * time.Second)
	for {
		select {
		case l, ok := <-s.Lines():
			if !ok {
				t.Fatalf("stream ended (%v) before %s", s.Err(), what)
			}
			if match(l) {
				return
			}
		case <-deadline:
			t.Fatalf("no %s within 40 s", what)
		}
	}
}

func TestLogsHostileOutputArrivesClean(t *testing.T) {
	t.Parallel()
	e, stack, ctx := engineSetup(t, 60*time.Second)
	api := e.Client()
	// The stand-in prints a bad listen address as is when it fails: a way to
	// make a real container write escape sequences.
	hostile := "STANDIN_ADDR=\x1b]0;pwned\x07\x1b[2J\x1b]52;c;ZXZpbA==\x07:8000"
	spec := logsSpec(stack, "evil", "web", 1, hostile)
	spec.TaskTemplate.RestartPolicy = &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionNone}
	logsCreate(ctx, t, api, spec)

	var lines []sw.LogLine
	for ctx.Err() == nil && len(lines) == 0 {
		time.Sleep(300 * time.Millisecond)
		lines = logsRead(ctx, t, e, stack, sw.LogOptions{AllTasks: true, Tail: -1})
	}
	want := "standin web: listen tcp: address :8000: "
	if len(lines) == 0 || !strings.HasPrefix(lines[0].Text, want) || !lines[0].Stderr {
		t.Fatalf("lines = %+v, want a stderr line starting %q", lines, want)
	}
	if raw := rawTaskLog(ctx, t, api, lines[0].TaskID); !strings.Contains(raw, "\x1b]52;c;ZXZpbA==\x07") {
		t.Errorf("the engine's raw log lacks the OSC 52 sequence, so this test proves nothing: %q", raw)
	}
	for _, l := range lines {
		if strings.ContainsAny(l.Text, "\x1b\x07") || strings.Contains(l.Text, "pwned") || strings.Contains(l.Text, "ZXZp") {
			t.Errorf("escape sequence survived: %q", l.Text)
		}
	}
}

// rawTaskLog is a task's log as the engine sends it, demultiplexed only.
func rawTaskLog(ctx context.Context, t *testing.T, api *client.Client, taskID string) string {
	t.Helper()
	rc, err := api.TaskLogs(ctx, taskID, client.TaskLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		t.Fatalf("task logs: %v", err)
	}
	defer rc.Close()
	var out strings.Builder
	if _, err := stdcopy.StdCopy(&out, &out, rc); err != nil {
		t.Fatalf("demultiplex: %v", err)
	}
	return out.String()
}

// A task with a TTY has one unframed stream; read as frames, its lines would
// come out cut or not at all. The session learns the TTY from its task list.
func TestLogsOfATTYServiceArriveWhole(t *testing.T) {
	t.Parallel()
	e, stack, ctx := engineSetup(t, 60*time.Second)
	api := e.Client()
	spec := logsSpec(stack, "console", "web", 1)
	spec.TaskTemplate.ContainerSpec.TTY = true
	id := logsCreate(ctx, t, api, spec)
	logsWaitTasks(ctx, t, api, id, 1, "swarmtop/standin:1")
	time.Sleep(time.Second) // some traffic lines after the startup banner

	lines := logsRead(ctx, t, e, stack, sw.LogOptions{Services: []string{"console"}, Tail: 20})
	if len(lines) < 5 {
		t.Fatalf("%d lines from a TTY task, want at least 5: %+v", len(lines), lines)
	}
	// uwsgi-style request lines, whole: "[pid: 7|app: 0|req: 1/1] ... GET /..."
	request := regexp.MustCompile(`^\[pid: \d+\|app: \d+\|req: \d+/\d+\] .* (GET|POST) /`)
	whole := 0
	for _, l := range lines {
		if request.MatchString(l.Text) {
			whole++
		}
		if l.Stderr {
			t.Errorf("a TTY has no stderr, yet %q is marked so", l.Text)
		}
	}
	if whole < 3 {
		t.Errorf("%d whole request lines in %d, want at least 3: %+v", whole, len(lines), lines)
	}
}
