package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmtop/swarmtop/internal/audit"
)

// TestAuditRecordsScaleAndRestart scales and restarts a real service and
// finds, for each, the change's line and a verdict line pointing at it,
// then reads them back with `swarmtop audit`.
func TestAuditRecordsScaleAndRestart(t *testing.T) {
	stack := webStack(t, 1)
	dir := filepath.Join(t.TempDir(), "state")
	auditLog := filepath.Join(dir, "audit.log")

	for _, args := range [][]string{
		{"scale", "web=2", "-s", stack, "--audit-log", auditLog},
		{"restart", "web", "-s", stack, "--audit-log", auditLog},
		{"scale", "web=1", "-s", stack, "--audit-log", auditLog, "--detach"},
	} {
		if _, stderr, code := runSwarmtop(t, nil, args...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
	}

	entries, err := audit.Read(auditLog, audit.Filter{Stack: stack})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ action, before, after, verdict string }{
		{"scale", "1", "2", "applied"}, {"scale", "1", "2", "converged"},
		{"restart", "0", "1", "applied"}, {"restart", "0", "1", "converged"},
		{"scale", "2", "1", "applied"}, {"scale", "2", "1", "detached"},
	}
	if len(entries) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(entries), len(want), entries)
	}
	host, _ := os.Hostname()
	for i, w := range want {
		got := entries[i]
		if got.Action != w.action || got.Before != w.before || got.After != w.after || got.Verdict != w.verdict ||
			got.Object != "web" || got.Host != host || got.User == "" || !strings.HasPrefix(got.Engine, "unix://") {
			t.Errorf("entry %d = %+v, want %+v", i, got, w)
		}
		if i%2 == 1 && got.Ref != entries[i-1].ID {
			t.Errorf("verdict %d refers to %q, want the change %q", i, got.Ref, entries[i-1].ID)
		}
	}
	for p, mode := range map[string]os.FileMode{dir: 0o700, auditLog: 0o600} {
		if info, err := os.Stat(p); err != nil || info.Mode().Perm() != mode {
			t.Errorf("%s: %v, mode %v, want %o", p, err, info.Mode().Perm(), mode)
		}
	}

	stdout, stderr, code := runSwarmtop(t, []string{"SWARMTOP_AUDIT_LOG=" + auditLog}, "audit", "-s", stack, "--since", "1h")
	if code != 0 {
		t.Fatalf("audit: exit %d: %s", code, stderr)
	}
	for _, line := range []string{"web scale 1 → 2 applied → converged", "web restart 0 → 1 applied → converged", "web scale 2 → 1 applied → detached"} {
		if !strings.Contains(strings.Join(strings.Fields(stdout), " "), line) {
			t.Errorf("audit output lacks %q:\n%s", line, stdout)
		}
	}
	if n := strings.Count(stdout, "\n"); n != 4 {
		t.Errorf("want a header and 3 rows, got %d lines:\n%s", n, stdout)
	}
	stdout, _, _ = runSwarmtop(t, []string{"SWARMTOP_AUDIT_LOG=" + auditLog}, "audit", "--json")
	if n := strings.Count(stdout, "\n"); n != len(want) {
		t.Errorf("audit --json: %d lines, want %d", n, len(want))
	}
}
