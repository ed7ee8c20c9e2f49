package activity

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/swarmtop/swarmtop/internal/audit"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/styles"
)

func TestAuditEntriesPairVerdictsAndSkipOwnProcess(t *testing.T) {
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	lines := []audit.Entry{
		{ID: "a", Time: at, User: "alice", Host: "ops1", PID: 10, Stack: "shop", Object: "web", Action: "scale", Before: "2", After: "3", Verdict: "applied"},
		{ID: "b", Ref: "a", Time: at, PID: 10, Stack: "shop", Object: "web", Action: "scale", Verdict: "converged"},
		{ID: "c", Time: at, User: "bob", Host: "ops2", PID: 11, Stack: "shop", Object: "web", Action: "image", After: "x:2", Verdict: "applied"},
		{ID: "d", Ref: "c", Time: at, PID: 11, Stack: "shop", Verdict: "rolled back"},
		{ID: "e", Time: at, User: "me", PID: 99, Stack: "shop", Object: "web", Action: "restart", Verdict: "applied"},
	}
	got := auditEntries(lines, 99)
	want := []Entry{
		{At: at, Kind: "audit", Text: "alice@ops1 shop: scale web 2 → 3: converged", Tone: render.ToneOK},
		{At: at, Kind: "audit", Text: "bob@ops2 shop: image web x:2: rolled back", Tone: render.ToneDanger},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestMergeOrdersByTime(t *testing.T) {
	t0 := time.Now()
	run := []Entry{{At: t0.Add(2 * time.Second), Text: "run"}}
	audited := []Entry{{At: t0, Text: "old"}, {At: t0.Add(3 * time.Second), Text: "other"}}
	got := merge(run, audited)
	if len(got) != 3 || got[0].Text != "old" || got[1].Text != "run" || got[2].Text != "other" {
		t.Errorf("merge = %+v", got)
	}
}

// The view reads the log named in its Common, in a Cmd, and shows what
// another swarmtop process changed.
func TestViewReadsTheAuditLogFromCommon(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	// Written as another process would (Record stamps this process's
	// PID, whose lines the view leaves out as its own).
	line, _ := json.Marshal(audit.Entry{ID: "a", Time: at, User: "alice", Host: "ops1", PID: 1,
		Stack: "shop", Object: "web", Action: "scale", Before: "2", After: "3", Verdict: "applied"})
	if err := os.WriteFile(path, append(line, '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	m := New(&common.Common{Styles: styles.New(true, false), AuditLog: path}, &Log{})
	m.SetSize(80, 24)
	cmd := m.Init()
	if cmd == nil {
		t.Fatal("Init reads nothing although an audit log is set")
	}
	m.Update(cmd())
	if view := ansi.Strip(m.View()); !strings.Contains(view, "alice@ops1 shop: scale web 2 → 3") {
		t.Errorf("view lacks the audited change:\n%s", view)
	}
	if New(&common.Common{Styles: styles.New(true, false)}, &Log{}).Init() != nil {
		t.Error("with no audit log the view should read nothing")
	}
}

// A full log still shows what comes next: its length stays at Capacity,
// so the view must not take an unchanged length for an unchanged log.
func TestViewShowsNewEntriesWhenTheLogIsFull(t *testing.T) {
	log := &Log{}
	at := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	for i := range Capacity {
		log.Add(Entry{At: at, Kind: "event", Text: fmt.Sprintf("old %d", i)})
	}
	m := New(&common.Common{Styles: styles.New(true, false)}, log)
	m.SetSize(80, 10)
	if view := ansi.Strip(m.View()); !strings.Contains(view, fmt.Sprintf("old %d", Capacity-1)) {
		t.Fatalf("view lacks the newest entry:\n%s", view)
	}
	log.Add(Entry{At: at.Add(time.Second), Kind: "action", Text: "newest"})
	if len(log.Entries()) != Capacity {
		t.Fatalf("log holds %d entries, want %d", len(log.Entries()), Capacity)
	}
	if view := ansi.Strip(m.View()); !strings.Contains(view, "newest") {
		t.Errorf("view lacks the entry added to a full log:\n%s", view)
	}
}
