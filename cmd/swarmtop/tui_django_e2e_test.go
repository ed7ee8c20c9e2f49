package main

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/swarmtop/swarmtop/internal/enginetest"
)

// TestTUIDjangoEndToEnd deploys the django demo and drives the real binary
// opened with its stack files in tmux at 80×24: every service at its
// count, scale web 2 → 3 with its verdict and drift marker (the file says
// 2), restart celery-worker, web's logs filtered, the nodes view, quit.
func TestTUIDjangoEndToEnd(t *testing.T) {
	requireTmux(t)
	e := enginetest.Engine(t)
	stack := enginetest.Stack(t, e)
	files := []string{"-c", "../../examples/django/stack.yml", "-c", "../../examples/django/demo.yml"}
	env := []string{"NGINX_PORT=" + enginetest.FreePort(t)}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	deploy := exec.CommandContext(ctx, binary, append([]string{"deploy", "--detach", "-s", stack}, files...)...)
	deploy.Env = append(os.Environ(), env...)
	if out, err := deploy.CombinedOutput(); err != nil {
		t.Fatalf("deploy: %v\n%s", err, out)
	}

	tm := startTUI(t, env, append([]string{"-s", stack}, files...)...)
	seeAllServices(tm)

	// web sorts last. Scale it through the dialog.
	tm.keys("G")
	scaleWebTo3(tm, stack)
	tm.waitFor("web at 3/3, file 2, drift marker", func(s string) bool {
		return rowHas(s, "web", "3/3 (file 2)") && rowHas(s, "web", "≠ repl")
	})

	// Restart celery-worker and see it go.
	tm.keys("g", "j", "r")
	tm.confirm("Restart every task of " + stack + "_celery-worker")
	tm.waitText("restart celery-worker")

	// web's logs (uwsgi request lines), filtered on one client's address.
	tm.keys("G", "l")
	tm.waitText("req:")
	tm.keys("/")
	tm.typeText("10.0.1.7")
	tm.keys("Enter")
	tm.waitFor("only lines from 10.0.1.7", onlyMatching("10.0.1.7"))

	// Escape and a key in the same read arrive as alt+key, so give each
	// Escape its own moment and wait for the stack view before typing.
	tm.keys("Escape")
	time.Sleep(300 * time.Millisecond)
	tm.keys("Escape")
	tm.waitText("services converged")
	time.Sleep(300 * time.Millisecond)
	openNodes(tm)
	quitAll(tm)
}

// seeAllServices waits for every service at its full count, scrolling the
// services table to see the last ones.
func seeAllServices(tm *tmux) {
	tm.t.Helper()
	counted := regexp.MustCompile(`^(\S+)\s+\S+\s+(\d+)/(\d+)\b`)
	seen := map[string]bool{}
	full := func(s string) bool {
		for _, line := range strings.Split(s, "\n") {
			if m := counted.FindStringSubmatch(line); m != nil && m[2] == m[3] && m[3] != "0" {
				seen[m[1]] = true
			}
		}
		return len(seen) == len(djangoServices)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !full(tm.capture()) {
		if time.Now().After(deadline) {
			tm.t.Fatalf("not every service at its count; seen %v; screen:\n%s", seen, tm.capture())
		}
		tm.keys("G")
		time.Sleep(300 * time.Millisecond)
		full(tm.capture())
		tm.keys("g")
		time.Sleep(300 * time.Millisecond)
	}
	for _, name := range djangoServices {
		if !seen[name] {
			tm.t.Fatalf("service %s not shown", name)
		}
	}
}

// onlyMatching: the log lines on screen (source │ text) all hold word,
// and there is at least one.
func onlyMatching(word string) func(string) bool {
	return func(s string) bool {
		n := 0
		for _, line := range strings.Split(s, "\n") {
			if _, text, ok := strings.Cut(line, "│"); ok {
				if !strings.Contains(text, word) {
					return false
				}
				n++
			}
		}
		return n > 0
	}
}

func quitAll(tm *tmux) {
	tm.t.Helper()
	for range 6 {
		if strings.Contains(tm.capture(), "EXITED-") {
			break
		}
		tm.keys("q")
		time.Sleep(300 * time.Millisecond)
	}
	tm.waitExited()
}
