package activity

import (
	"testing"
	"time"

	"github.com/swarmtop/swarmtop/internal/audit"
	"github.com/swarmtop/swarmtop/tui/render"
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
