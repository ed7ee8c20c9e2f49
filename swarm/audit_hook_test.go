package swarm

import (
	"testing"

	"github.com/swarmtop/swarmtop/internal/audit"
)

// The audit log's readers tell a change's verdicts apart by the words the
// engine writes: a detached verdict must say the audit package's word.
func TestAuditVerdictWordsMatchTheLog(t *testing.T) {
	if got := Detached.String(); got != audit.Detached {
		t.Errorf("Detached verdict is written %q, the audit log reads %q", got, audit.Detached)
	}
}

// Each change line gets its own ID, and a verdict line refers back to it
// exactly once.
func TestAuditVerdictRefersToItsChangeOnce(t *testing.T) {
	var events []AuditEvent
	e := &Engine{}
	e.SetAudit(func(ev AuditEvent) { events = append(events, ev) })
	c := Change{Service: "web", ServiceID: "s1", Version: 7, Action: "scale", Before: "2", After: "3"}
	e.auditWrite("shop", c, nil)
	e.auditWrite("shop", Change{Service: "db", ServiceID: "s2", Version: 3, Action: "scale"}, nil)
	e.AuditVerdicts([]Change{c}, []Verdict{{Kind: Converged}})
	e.AuditDetached([]Change{c}) // already judged: no second verdict
	if len(events) != 3 {
		t.Fatalf("got %d events, want 3: %+v", len(events), events)
	}
	change, other, verdict := events[0], events[1], events[2]
	if change.ID == "" || change.ID == other.ID || change.Verdict != VerdictApplied {
		t.Errorf("change lines %+v and %+v, want distinct IDs, applied", change, other)
	}
	if verdict.Ref != change.ID || verdict.ID == change.ID || verdict.Verdict != "converged" || verdict.Stack != "shop" || verdict.Action != "scale" {
		t.Errorf("verdict %+v, want converged referring to %s", verdict, change.ID)
	}
}
