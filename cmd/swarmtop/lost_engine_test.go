package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/swarmtop/swarmtop/internal/enginetest"
)

// TestRestartReportsALostEngine cuts the engine while `swarmtop restart`
// waits on the rolling update: it must say so in one line and exit 3
// within the loss timeout (10 s), not hang.
func TestRestartReportsALostEngine(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t)
	stack := enginetest.Stack(t, e)
	spec := e2eSpec(stack, "web", 2)
	spec.UpdateConfig.Delay = 10 * time.Second // a wait long enough to cut into
	createService(t, e, spec)
	proxy := enginetest.NewCutProxy(t)
	p := startSwarmtop(t, []string{"DOCKER_HOST=" + proxy.Host}, "restart", "web", "-s", stack)
	p.waitStdout(t, "every task replaced", 30*time.Second) // the change is made; the wait begins

	time.Sleep(time.Second)
	proxy.Cut()
	cut := time.Now()
	code := p.wait(t, 15*time.Second)
	took := time.Since(cut)
	stderr := p.stderr.String()
	if code != 3 {
		t.Errorf("exit %d, want 3; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"lost the engine at " + proxy.Host, "the update continues in the swarm", "swarmtop status"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if lines := strings.Count(strings.TrimRight(stderr, "\n"), "\n") + 1; lines != 1 {
		t.Errorf("stderr has %d lines, want one:\n%s", lines, stderr)
	}
	t.Logf("exit %d %s after the cut: %s", code, took.Round(100*time.Millisecond), stderr)
}

// TestDeployReportsALostEngine cuts the engine under `swarmtop deploy`,
// once as it starts writing and once while it waits for the job that must
// complete before anything else changes: exit 3 and one line saying so,
// and the rest of the stack untouched.
func TestDeployReportsALostEngine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cutWhen string // the stdout text after which the engine goes
		want    []string
	}{
		{"as it writes", "plan for stack", []string{"deploy stopped at ", "lost the engine at "}},
		{"while its job runs", "1:running", []string{"job migrate: lost the engine at ", "no other service was changed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := enginetest.Engine(t)
			stack := enginetest.Stack(t, e)
			file := filepath.Join(t.TempDir(), "stack.yml")
			// Long enough to outlast the 10 s the wait gives a lost engine;
			// the clean-up waits for it too (a removed job's task runs on).
			slowJob := strings.Replace(deployTestStack, "STANDIN_MIGRATE_TIME: 1s", "STANDIN_MIGRATE_TIME: 20s", 1)
			if err := os.WriteFile(file, []byte(slowJob), 0o644); err != nil {
				t.Fatal(err)
			}
			proxy := enginetest.NewCutProxy(t)
			p := startSwarmtop(t, []string{"DOCKER_HOST=" + proxy.Host}, "deploy", "-c", file, "-s", stack)
			p.waitStdout(t, tt.cutWhen, 60*time.Second)

			proxy.Cut()
			cut := time.Now()
			code := p.wait(t, 20*time.Second)
			t.Logf("exit %d %s after the cut", code, time.Since(cut).Round(100*time.Millisecond))
			stderr := p.stderr.String()
			if code != 3 {
				t.Errorf("exit %d, want 3; stderr:\n%s", code, stderr)
			}
			for _, want := range append(tt.want, proxy.Host) {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if lines := strings.Count(strings.TrimRight(stderr, "\n"), "\n") + 1; lines != 1 {
				t.Errorf("stderr has %d lines, want one:\n%s", lines, stderr)
			}
			if _, err := e.FindService(context.Background(), stack, "web"); err == nil {
				t.Error("web was created although its job never completed")
			}
		})
	}
}

// TestLogsFollowResumesAfterALostEngine cuts the engine under `swarmtop
// logs -f`: it says so on stderr, keeps running, and prints lines again
// within 2 s of the engine returning; Ctrl-C then ends it with status 0.
func TestLogsFollowResumesAfterALostEngine(t *testing.T) {
	t.Parallel()
	// A running task first: logs of a stack without one end at once.
	stack := logsTestStack(t)
	proxy := enginetest.NewCutProxy(t)
	p := startSwarmtop(t, []string{"DOCKER_HOST=" + proxy.Host}, "logs", "-f", "--tail", "1", "-s", stack)
	p.waitStdout(t, "web.1@", 30*time.Second)

	proxy.Cut()
	p.waitStderr(t, "lost connection to the engine", 5*time.Second)
	time.Sleep(time.Second)
	p.drainStdout()
	restored := time.Now()
	proxy.Restore()
	p.waitStdout(t, "web.1@", 2*time.Second)
	t.Logf("lines again %s after the restore", time.Since(restored).Round(time.Millisecond))
	p.waitStderr(t, "connected to the engine again", time.Second)

	_ = p.cmd.Process.Signal(os.Interrupt)
	if code := p.wait(t, 10*time.Second); code != 0 {
		t.Errorf("exit %d after Ctrl-C, want 0; stderr:\n%s", code, p.stderr.String())
	}
}

// running is the binary started in the background, its stdout read line
// by line and its stderr kept whole.
type running struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr *syncBuffer
}

func startSwarmtop(t *testing.T, env []string, args ...string) *running {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	p := &running{cmd: cmd, lines: make(chan string, 10000), stderr: &syncBuffer{}}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		_, _ = io.Copy(io.Discard, stdout)
		close(p.lines)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-p.lines // closed once the process is gone
	})
	return p
}

// waitStdout reads stdout until a line holds text.
func (p *running) waitStdout(t *testing.T, text string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("stdout ended before %q; stderr:\n%s", text, p.stderr.String())
			}
			if strings.Contains(line, text) {
				return
			}
		case <-deadline:
			t.Fatalf("no %q on stdout within %s; stderr:\n%s", text, within, p.stderr.String())
		}
	}
}

// drainStdout drops the lines read so far.
func (p *running) drainStdout() {
	for {
		select {
		case <-p.lines:
		default:
			return
		}
	}
}

func (p *running) waitStderr(t *testing.T, text string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(p.stderr.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q on stderr within %s:\n%s", text, within, p.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wait returns the exit status, failing the test if the process outlives
// the limit (it hangs).
func (p *running) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	timer := time.AfterFunc(limit, func() { _ = p.cmd.Process.Signal(syscall.SIGKILL) })
	defer timer.Stop()
	go func() {
		for range p.lines { // keep stdout flowing until the end
		}
	}()
	err := p.cmd.Wait()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		return exit.ExitCode()
	}
	t.Fatalf("swarmtop did not end within %s (%v); stderr:\n%s", limit, err, p.stderr.String())
	return -1
}

// syncBuffer is a bytes.Buffer safe to read while the process writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
