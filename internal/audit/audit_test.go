package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The helper process: when run with these set, the test binary is one of
// the concurrent writers of TestConcurrentWritersLoseNoLine.
const (
	envHelperLog = "AUDIT_TEST_HELPER_LOG"
	envHelperN   = "AUDIT_TEST_HELPER_N"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(envHelperLog); path != "" {
		os.Exit(writeLines(path, os.Getenv(envHelperN)))
	}
	os.Exit(m.Run())
}

// writeLines records n entries as fast as it can, with a long field so
// lines are big enough to tear if writes were not atomic.
func writeLines(path, n string) int {
	count, _ := strconv.Atoi(n)
	l := New(path)
	for i := range count {
		e := Entry{Stack: "shop", Object: "web", Action: "scale", Before: strconv.Itoa(i), After: strings.Repeat("x", 400), Verdict: Applied}
		if err := l.Record(e); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

func TestConcurrentWritersLoseNoLine(t *testing.T) {
	const writers, perWriter = 6, 200
	path := filepath.Join(t.TempDir(), "state", "swarmtop", "audit.log")
	var cmds []*exec.Cmd
	for range writers {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envHelperLog+"="+path, envHelperN+"="+strconv.Itoa(perWriter))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("writer: %v", err)
		}
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	perPID := map[int]int{}
	sc := bufio.NewScanner(f)
	lines := 0
	for sc.Scan() {
		lines++
		var e Entry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d is not JSON (%v): %.100q", lines, err, sc.Text())
		}
		perPID[e.PID]++
	}
	if lines != writers*perWriter {
		t.Errorf("%d lines, want %d", lines, writers*perWriter)
	}
	if len(perPID) != writers {
		t.Errorf("lines from %d processes, want %d", len(perPID), writers)
	}
	for pid, n := range perPID {
		if n != perWriter {
			t.Errorf("process %d wrote %d lines, want %d", pid, n, perWriter)
		}
	}
}

func TestRecordCreatesPrivateFileAndFillsIn(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir")
	path := filepath.Join(dir, "audit.log")
	if err := New(path).Record(Entry{Stack: "shop", Object: "web", Action: "scale", Before: "2", After: "3", Verdict: Applied}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s: mode %o, want %o", p, got, want)
		}
	}
	entries, err := Read(path, Filter{})
	if err != nil || len(entries) != 1 {
		t.Fatalf("read: %v, %d entries", err, len(entries))
	}
	e := entries[0]
	host, _ := os.Hostname()
	if e.ID == "" || e.User == "" || e.Host != host || e.PID != os.Getpid() || time.Since(e.Time) > time.Minute {
		t.Errorf("not filled in: %+v", e)
	}
}

func TestReadFiltersAndSkipsBrokenLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l := New(path)
	old := time.Now().Add(-48 * time.Hour)
	for _, e := range []Entry{
		{Time: old, Stack: "shop", Action: "scale", Verdict: Applied},
		{Stack: "shop", Action: "restart", Verdict: Applied},
		{Stack: "blog", Action: "image", Verdict: Applied},
	} {
		if err := l.Record(e); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("{not json\n")
	f.Close()

	tests := []struct {
		f    Filter
		want []string
	}{
		{Filter{}, []string{"scale", "restart", "image"}},
		{Filter{Stack: "shop"}, []string{"scale", "restart"}},
		{Filter{Since: time.Now().Add(-time.Hour)}, []string{"restart", "image"}},
		{Filter{Limit: 1}, []string{"image"}},
	}
	for _, tt := range tests {
		entries, err := Read(path, tt.f)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			got = append(got, e.Action)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("Read(%+v) = %v, want %v", tt.f, got, tt.want)
		}
	}
	if entries, err := Read(filepath.Join(t.TempDir(), "none.log"), Filter{}); err != nil || entries != nil {
		t.Errorf("missing file: %v, %v; want an empty log", entries, err)
	}
}

func TestReadLimitReadsOnlyTheEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	l := New(path)
	for i := range 300 {
		if err := l.Record(Entry{Action: strconv.Itoa(i), After: strings.Repeat("y", 300)}); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := Read(path, Filter{Limit: 5})
	if err != nil || len(entries) != 5 || entries[0].Action != "295" || entries[4].Action != "299" {
		t.Fatalf("Read(Limit 5) = %d entries (%v), want 295…299", len(entries), err)
	}
	// And it got them from the end: tail skipped the file's start.
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, _ := f.Stat()
	if _, err := tail(f, 5); err != nil {
		t.Fatal(err)
	}
	pos, _ := f.Seek(0, io.SeekCurrent)
	if skipped := info.Size() - 5*tailBytesPerEntry - 1; pos < skipped {
		t.Errorf("tail left the file at %d of %d, want past %d", pos, info.Size(), skipped)
	}
}

func TestClipKeepsLinesShort(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	long := strings.Repeat("é", 5000)
	if err := New(path).Record(Entry{Verdict: long, Before: long, After: long, Message: long}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if len(data) > 4096 {
		t.Errorf("line is %d bytes, want ≤ 4096", len(data))
	}
	var e Entry
	if err := json.Unmarshal(data, &e); err != nil || !strings.HasSuffix(e.Verdict, "…") {
		t.Errorf("clipped entry: %v, verdict ends %q", err, e.Verdict[len(e.Verdict)-8:])
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv(EnvPath, "")
	t.Setenv("XDG_STATE_HOME", "/state")
	if got := DefaultPath(); got != "/state/swarmtop/audit.log" {
		t.Errorf("with XDG_STATE_HOME: %s", got)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/op")
	if got := DefaultPath(); got != "/home/op/.local/state/swarmtop/audit.log" {
		t.Errorf("default: %s", got)
	}
	t.Setenv(EnvPath, "/var/log/swarmtop.log")
	if got := DefaultPath(); got != "/var/log/swarmtop.log" {
		t.Errorf("with %s: %s", EnvPath, got)
	}
}
