package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/internal/enginetest"
)

// logsTestStack deploys one stand-in web service (e2eSpec) logging 20
// lines a second and waits until it has logged a while; it returns the
// stack name.
func logsTestStack(t *testing.T) string {
	t.Helper()
	e := enginetest.Engine(t)
	stack := enginetest.Stack(t, e)
	spec := e2eSpec(stack, "web", 1)
	spec.TaskTemplate.ContainerSpec.Env = append(spec.TaskTemplate.ContainerSpec.Env, "STANDIN_LOG_RATE=20")
	id := createService(t, e, spec)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	f := make(client.Filters).Add("service", id).Add("desired-state", "running")
	for ctx.Err() == nil {
		res, err := e.Client().TaskList(ctx, client.TaskListOptions{Filters: f})
		if err == nil && len(res.Items) == 1 && res.Items[0].Status.State == swarm.TaskStateRunning {
			time.Sleep(time.Second) // past the startup banner
			return stack
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("web never ran")
	return ""
}

var logLinePattern = regexp.MustCompile(`^web\.1@\S+ \| \S`)

func TestLogsCommand(t *testing.T) {
	stack := logsTestStack(t)

	t.Run("tail prints prefixed lines", func(t *testing.T) {
		stdout, stderr, code := runSwarmtop(t, nil, "logs", "web", "-s", stack, "--tail", "5")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
		if len(lines) != 5 {
			t.Fatalf("got %d lines, want 5:\n%s", len(lines), stdout)
		}
		for _, l := range lines {
			if !logLinePattern.MatchString(l) {
				t.Errorf("line %q does not look like `web.1@node | text`", l)
			}
		}
	})

	t.Run("timestamps", func(t *testing.T) {
		stdout, _, code := runSwarmtop(t, nil, "logs", "-s", stack, "--tail", "1", "-t")
		if code != 0 || !regexp.MustCompile(`^web\.1@\S+ \| 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \S`).MatchString(stdout) {
			t.Errorf("exit %d, output %q", code, stdout)
		}
	})

	t.Run("unknown service exits 2", func(t *testing.T) {
		_, stderr, code := runSwarmtop(t, nil, "logs", "nope", "-s", stack)
		if code != 2 || !strings.Contains(stderr, `no service "nope"`) {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})

	t.Run("bad since exits 2", func(t *testing.T) {
		_, stderr, code := runSwarmtop(t, nil, "logs", "-s", stack, "--since", "yesterday")
		if code != 2 || !strings.Contains(stderr, "--since") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})

	t.Run("follow ends cleanly on Ctrl-C", func(t *testing.T) {
		cmd := exec.Command(binary, "logs", "-s", stack, "-f", "--tail", "0")
		cmd.Env = os.Environ()
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		if !sc.Scan() || !logLinePattern.MatchString(sc.Text()) {
			cmd.Process.Kill()
			t.Fatalf("no followed line: %q", sc.Text())
		}
		cmd.Process.Signal(syscall.SIGINT)
		for sc.Scan() {
		}
		if err := cmd.Wait(); err != nil {
			t.Errorf("after Ctrl-C: %v, want exit 0", err)
		}
	})
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 22, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"", time.Time{}, false},
		{"10m", now.Add(-10 * time.Minute), false},
		{"1h30m", now.Add(-90 * time.Minute), false},
		{"2026-11-22T05:00:00Z", time.Date(2026, 11, 22, 5, 0, 0, 0, time.UTC), false},
		{"2026-11-22T05:00:00.5+01:00", time.Date(2026, 11, 22, 4, 0, 0, 5e8, time.UTC), false},
		{"-5m", time.Time{}, true},
		{"yesterday", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := parseSince(tt.in, now)
		if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
