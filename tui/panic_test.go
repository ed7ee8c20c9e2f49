package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmtop/swarmtop/tui/common"
)

func TestPanicInAViewBecomesACleanError(t *testing.T) {
	// The crash log goes to os.TempDir: keep it in the test's own directory
	// rather than leave one in /tmp per run.
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	h := newHarness(t, Options{Stack: "shop", Logs: func(c *common.Common, _ string, _ []string) common.Component {
		return stubView{title: "logs", panic: true}
	}}, 80, 24)
	s := &safeModel{inner: h.m}
	h.keys("l")
	v := s.View()
	if !strings.Contains(v.Content, "internal error") || s.crash == nil {
		t.Fatalf("view = %q, crash = %v", v.Content, s.crash)
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "swarmtop-crash-*.log"))
	if len(logs) != 1 {
		t.Fatalf("crash logs in %s: %v, want one", dir, logs)
	}
	if !strings.Contains(s.crash.Error(), "stub view exploded") || !strings.Contains(s.crash.Error(), "details in "+logs[0]) {
		t.Fatalf("crash error = %v, want the panic and %s", s.crash, logs[0])
	}
	if text, err := os.ReadFile(logs[0]); err != nil || !strings.Contains(string(text), "panic: stub view exploded") {
		t.Fatalf("crash log %s: %v\n%s", logs[0], err, text)
	}
	if _, cmd := s.Update(keyMsg("j")); cmd == nil {
		t.Fatal("no quit after a crash")
	}
}
