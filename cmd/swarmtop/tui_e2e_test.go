package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/internal/enginetest"
	sw "github.com/swarmtop/swarmtop/swarm"
)

// TestTUIEndToEnd drives the real binary in tmux at 80×24 against the real
// swarm: it sees the stack, scales web 2 → 3 through the dialog, restarts
// worker, opens the nodes view and quits, leaving the terminal restored.
func TestTUIEndToEnd(t *testing.T) {
	requireTmux(t)
	e := enginetest.Engine(t)
	stack := enginetest.Stack(t, e)
	createService(t, e, e2eSpec(stack, "web", 2))
	createService(t, e, e2eSpec(stack, "worker", 1))

	tm := startTUI(t, nil, "-s", stack)
	tm.waitFor("both services running", func(s string) bool {
		return rowHas(s, "web", "2/2") && rowHas(s, "worker", "1/1")
	})

	// web sorts first. Scale it through the dialog.
	scaleWebTo3(tm, stack)
	tm.waitFor("web at 3/3", func(s string) bool { return rowHas(s, "web", "3/3") })

	// Restart worker and see it go.
	tm.keys("j", "r")
	tm.confirm("Restart every task of " + stack + "_worker")
	tm.waitText("restart worker")
	tm.waitText("restart worker: worker converged")

	openNodes(tm)

	tm.keys("q")
	tm.waitText("tasks of")
	tm.keys("q")
	tm.waitExited()
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

// createService creates spec's service on the engine and returns its ID.
func createService(t *testing.T, e *sw.Engine, spec swarm.ServiceSpec) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	res, err := e.Client().ServiceCreate(ctx, client.ServiceCreateOptions{Spec: spec})
	if err != nil {
		t.Fatalf("create %s: %v", spec.Name, err)
	}
	return res.ID
}

// webStack makes a stack on the test engine holding the stand-in web
// service (e2eSpec) at replicas, and returns the stack's name.
func webStack(t *testing.T, replicas uint64) string {
	t.Helper()
	e := enginetest.Engine(t)
	stack := enginetest.Stack(t, e)
	createService(t, e, e2eSpec(stack, "web", replicas))
	return stack
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

// requireTmux skips an end-to-end test in -short runs, and where tmux is
// missing, except under CI, which must run it.
func requireTmux(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is required under CI")
		}
		t.Skip("tmux not installed")
	}
}

// startTUI runs the binary with args in a new tmux session at 80×24, the
// env assignments before it; when it ends, the shell prints EXITED-status.
func startTUI(t *testing.T, env []string, args ...string) *tmux {
	t.Helper()
	tm := newTmux(t, 80, 24)
	command := slices.Concat(env, []string{binary}, args)
	tm.send("clear; " + strings.Join(command, " ") + "; echo EXITED-$?")
	tm.keys("Enter")
	return tm
}

// scaleWebTo3 scales web, the selected row, from 2 to 3 replicas through
// the dialog and waits for the verdict.
func scaleWebTo3(tm *tmux, stack string) {
	tm.t.Helper()
	tm.keys("s")
	tm.waitText("Scale " + stack + "_web")
	tm.keys("BSpace", "3", "Enter")
	tm.confirm("Scale " + stack + "_web 2 → 3")
	tm.waitText("scale web 2→3: web converged")
}

// openNodes opens the nodes view through the command line.
func openNodes(tm *tmux) {
	tm.t.Helper()
	tm.command("nodes")
	tm.waitFor("nodes view", func(s string) bool {
		return strings.Contains(s, "HOSTNAME") && strings.Contains(s, "(leader)")
	})
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

// command types text on the TUI's command line (":") and enters it.
func (tm *tmux) command(text string) {
	tm.t.Helper()
	tm.keys(":")
	tm.typeText(text)
	tm.keys("Enter")
}

func (tm *tmux) capture() string { return tm.run("capture-pane", "-p", "-t", tm.name) }

func (tm *tmux) waitText(text string) {
	tm.t.Helper()
	tm.waitFor(text, func(s string) bool { return strings.Contains(s, text) })
}

// confirm waits for the confirmation dialog that says text and answers y.
func (tm *tmux) confirm(text string) {
	tm.t.Helper()
	tm.waitText(text)
	time.Sleep(600 * time.Millisecond) // the confirm dialog ignores keys at first
	tm.keys("y")
}

// waitExited waits for the binary to exit 0 and checks that it left the
// alternate screen.
func (tm *tmux) waitExited() {
	tm.t.Helper()
	tm.waitText("EXITED-0")
	if alt := tm.run("display-message", "-p", "-t", tm.name, "#{alternate_on}"); strings.TrimSpace(alt) != "0" {
		tm.t.Fatalf("still in the alternate screen after quitting (alternate_on=%q)", alt)
	}
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
