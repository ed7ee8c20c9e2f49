package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/internal/enginetest"
)

// TestTUIEndToEnd drives the real binary in tmux at 80×24 against the real
// swarm: it sees the stack, scales web 2 → 3 through the dialog, restarts
// worker, opens the nodes view and quits, leaving the terminal restored.
func TestTUIEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is required under CI")
		}
		t.Skip("tmux not installed")
	}
	e := enginetest.Engine(t)
	stack := enginetest.Stack(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	for name, replicas := range map[string]uint64{"web": 2, "worker": 1} {
		if _, err := e.Client().ServiceCreate(ctx, client.ServiceCreateOptions{Spec: e2eSpec(stack, name, replicas)}); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}

	bin := filepath.Join(t.TempDir(), "swarmtop")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	tm := newTmux(t, 80, 24)
	tm.send("clear; " + bin + " -s " + stack + "; echo EXITED-$?")
	tm.keys("Enter")

	tm.waitFor("both services running", func(s string) bool {
		return rowHas(s, "web", "2/2") && rowHas(s, "worker", "1/1")
	})

	// web sorts first. Scale it through the dialog.
	tm.keys("s")
	tm.waitText("Scale " + stack + "_web")
	tm.keys("BSpace", "3", "Enter")
	tm.waitText("Scale " + stack + "_web 2 → 3")
	time.Sleep(600 * time.Millisecond) // the confirm dialog ignores keys at first
	tm.keys("y")
	tm.waitText("scale web 2→3: web converged")
	tm.waitFor("web at 3/3", func(s string) bool { return rowHas(s, "web", "3/3") })

	// Restart worker and see it go.
	tm.keys("j", "r")
	tm.waitText("Restart every task of " + stack + "_worker")
	time.Sleep(600 * time.Millisecond)
	tm.keys("y")
	tm.waitText("restart worker")
	tm.waitText("restart worker: worker converged")

	tm.keys(":")
	tm.typeText("nodes")
	tm.keys("Enter")
	tm.waitFor("nodes view", func(s string) bool {
		return strings.Contains(s, "HOSTNAME") && strings.Contains(s, "(leader)")
	})

	tm.keys("q")
	tm.waitText("tasks of")
	tm.keys("q")
	tm.waitText("EXITED-0")
	if alt := tm.run("display-message", "-p", "-t", tm.name, "#{alternate_on}"); strings.TrimSpace(alt) != "0" {
		t.Fatalf("still in the alternate screen after quitting (alternate_on=%q)", alt)
	}
}

func e2eSpec(stack, name string, replicas uint64) swarm.ServiceSpec {
	stop := time.Second
	return swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: stack + "_" + name, Labels: map[string]string{enginetest.NamespaceLabel: stack}},
		Mode:        swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &replicas}},
		TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{
			Image: "swarmtop/standin:1", Args: []string{"web"}, Env: []string{"STANDIN_DRAIN=0s"},
			StopGracePeriod: &stop,
		}},
		UpdateConfig: &swarm.UpdateConfig{Monitor: time.Second, FailureAction: swarm.UpdateFailureActionPause},
	}
}

// rowHas: some line of the screen starts with name and shows want.
func rowHas(screen, name, want string) bool {
	for _, line := range strings.Split(screen, "\n") {
		if strings.HasPrefix(line, name+" ") && strings.Contains(line, want) {
			return true
		}
	}
	return false
}

// tmux is one detached tmux session of a fixed size.
type tmux struct {
	t    *testing.T
	name string
}

func newTmux(t *testing.T, w, h int) *tmux {
	tm := &tmux{t: t, name: "swarmtop-e2e-" + filepath.Base(t.TempDir())}
	tm.run("new-session", "-d", "-s", tm.name, "-x", itoa(w), "-y", itoa(h), "env", "TERM=xterm-256color", "PS1=$ ", "bash", "--norc", "--noprofile")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("last screen:\n%s", tm.capture())
		}
		_ = exec.Command("tmux", "kill-session", "-t", tm.name).Run()
	})
	return tm
}

func itoa(n int) string { return strconv.Itoa(n) }

func (tm *tmux) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", args...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (tm *tmux) send(text string) { tm.run("send-keys", "-t", tm.name, "-l", text) }

func (tm *tmux) keys(keys ...string) {
	for _, k := range keys {
		tm.run("send-keys", "-t", tm.name, k)
		time.Sleep(50 * time.Millisecond)
	}
}

func (tm *tmux) typeText(s string) { tm.send(s) }

func (tm *tmux) capture() string { return tm.run("capture-pane", "-p", "-t", tm.name) }

func (tm *tmux) waitText(text string) {
	tm.t.Helper()
	tm.waitFor(text, func(s string) bool { return strings.Contains(s, text) })
}

func (tm *tmux) waitFor(what string, ok func(string) bool) {
	tm.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if ok(tm.capture()) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	tm.t.Fatalf("timed out waiting for %s; screen:\n%s", what, tm.capture())
}
