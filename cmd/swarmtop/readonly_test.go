package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swarmtop/swarmtop/internal/enginetest"
)

// readOnlyStackFile is a one-service stack for deploy and --write-back.
const readOnlyStackFile = `services:
  web:
    image: swarmtop/standin:1
    command: ["web"]
    deploy:
      replicas: 1
`

// readOnlySetup creates stack web ×1 directly on the engine, writes its
// stack file, and starts a counting proxy in front of the engine.
func readOnlySetup(t *testing.T) (stack, file string, proxy *enginetest.Proxy) {
	t.Helper()
	stack = webStack(t, 1)
	file = filepath.Join(t.TempDir(), "stack.yml")
	if err := os.WriteFile(file, []byte(readOnlyStackFile), 0o644); err != nil {
		t.Fatal(err)
	}
	return stack, file, enginetest.NewProxy(t)
}

// TestReadOnlyCLIRefusesEveryChange runs each mutating command read-only
// against the engine through a counting proxy: each exits 2 with one line,
// and the engine receives no write at all, while read commands still work.
func TestReadOnlyCLIRefusesEveryChange(t *testing.T) {
	stack, file, proxy := readOnlySetup(t)
	auditLog := filepath.Join(t.TempDir(), "audit.log")
	env := []string{"DOCKER_HOST=" + proxy.Host, "SWARMTOP_AUDIT_LOG=" + auditLog}
	s := []string{"-s", stack}

	refused := map[string][]string{
		"scale":            append([]string{"scale", "web=3", "--read-only"}, s...),
		"scale write-back": {"scale", "web=3", "--write-back", "-c", file, "-s", stack, "--read-only"},
		"restart":          append([]string{"restart", "web", "--read-only"}, s...),
		"image":            append([]string{"image", "web", "swarmtop/standin:2", "--read-only"}, s...),
		"release":          append([]string{"release", "2", "--read-only"}, s...),
		"rollback":         append([]string{"rollback", "web", "--read-only"}, s...),
		"deploy":           {"deploy", "-c", file, "-s", stack, "--read-only"},
		"detached scale":   append([]string{"--read-only", "scale", "web=3", "--detach"}, s...),
	}
	for name, args := range refused {
		t.Run(name, func(t *testing.T) {
			_, stderr, code := runSwarmtop(t, env, args...)
			if code != 2 || strings.Count(strings.TrimRight(stderr, "\n"), "\n") != 0 || !strings.Contains(stderr, "read-only") {
				t.Errorf("exit %d, stderr %q; want exit 2 and one line saying read-only", code, stderr)
			}
		})
	}
	t.Run("environment variable", func(t *testing.T) {
		_, stderr, code := runSwarmtop(t, append(env, "SWARMTOP_READ_ONLY=1"), "restart", "web", "-s", stack)
		if code != 2 || !strings.Contains(stderr, "read-only") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
	reads := [][]string{
		{"deploy", "-c", file, "-s", stack, "--dry-run", "--read-only"},
		{"status", "-s", stack, "--read-only"},
		{"nodes", "--read-only"},
	}
	for _, args := range reads {
		if _, stderr, code := runSwarmtop(t, env, args...); code != 0 {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
	}

	if m := proxy.Mutating(); len(m) != 0 {
		t.Errorf("mutating requests reached the engine: %v", m)
	}
	if proxy.Reads() == 0 {
		t.Error("no reads went through the proxy: the test proves nothing")
	}
	if data, _ := os.ReadFile(file); string(data) != readOnlyStackFile {
		t.Errorf("--write-back changed the file read-only:\n%s", data)
	}
	if _, err := os.Stat(auditLog); err == nil {
		t.Error("an audit log was written, but nothing changed")
	}
}

// TestReadOnlyTUIRefusesEveryChange drives the TUI read-only through the
// proxy at 80×24 and tries every action key and command: no dialog opens
// and the engine receives no write.
func TestReadOnlyTUIRefusesEveryChange(t *testing.T) {
	requireTmux(t)
	stack, file, proxy := readOnlySetup(t)
	auditLog := filepath.Join(t.TempDir(), "audit.log")
	tm := startTUI(t, []string{"DOCKER_HOST=" + proxy.Host, "SWARMTOP_AUDIT_LOG=" + auditLog},
		"--read-only", "-c", file, "-s", stack)
	tm.waitFor("web running", func(s string) bool { return rowHas(s, "web", "1/1") })

	for _, k := range []string{"s", "r", "R", "i"} {
		tm.keys(k)
		time.Sleep(300 * time.Millisecond)
		noDialog(tm, stack, "key "+k)
		tm.keys("Escape")
	}
	for _, command := range []string{"scale web 3", "deploy", "release 2"} {
		tm.command(command)
		time.Sleep(500 * time.Millisecond)
		noDialog(tm, stack, ":"+command)
		tm.keys("y") // would confirm a dialog, had one opened
		tm.keys("Escape")
	}
	time.Sleep(time.Second)
	tm.keys("q")
	tm.waitExited()

	if m := proxy.Mutating(); len(m) != 0 {
		t.Errorf("mutating requests reached the engine: %v", m)
	}
	if proxy.Reads() == 0 {
		t.Error("no reads went through the proxy: the test proves nothing")
	}
}

// noDialog fails when a confirmation of a change is on screen.
func noDialog(tm *tmux, stack, what string) {
	tm.t.Helper()
	screen := tm.capture()
	for _, dialog := range []string{"Scale " + stack, "Restart every task", "Roll " + stack, "Set image", "Release stack", "Deploy the stack file"} {
		if strings.Contains(screen, dialog) {
			tm.t.Errorf("%s opened a dialog (%q) read-only:\n%s", what, dialog, screen)
		}
	}
}
