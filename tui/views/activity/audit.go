package activity

import (
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/internal/audit"
	"github.com/swarmtop/swarmtop/tui/render"
)

// recentAudit is how many audit lines the view reads: enough to see what
// colleagues did today, little enough to read on every open.
const recentAudit = 200

// auditLoaded carries the audit lines read in the background.
type auditLoaded struct {
	entries []Entry
	err     error
}

// loadAudit reads the log's end in a Cmd: the file may be large or on a
// slow disk, and View must not wait for it.
func loadAudit(path string) tea.Cmd {
	if path == "" {
		return nil
	}
	return func() tea.Msg {
		entries, err := audit.Read(path, audit.Filter{Limit: recentAudit})
		return auditLoaded{entries: auditEntries(entries, os.Getpid()), err: err}
	}
}

// auditEntries turns audit lines into rows, one per change with its verdict.
// This process's own lines are left out: its actions and verdicts are in
// the run's log already.
func auditEntries(lines []audit.Entry, pid int) []Entry {
	verdicts := audit.Verdicts(lines)
	var out []Entry
	for _, l := range lines {
		if l.PID == pid || l.Ref != "" {
			continue
		}
		verdict := l.Verdict
		if v, ok := verdicts[l.ID]; ok {
			verdict = v.Verdict
		}
		out = append(out, Entry{At: l.Time, Kind: "audit", Text: auditText(l, verdict), Tone: verdictTone(verdict)})
	}
	return out
}

// auditText: "alice@ops1 shop: scale web 2 → 3: converged".
func auditText(l audit.Entry, verdict string) string {
	change := l.After
	if l.Before != "" {
		change = l.Before + " → " + l.After
	}
	return render.Clean(fmt.Sprintf("%s@%s %s: %s %s %s: %s", l.User, l.Host, l.Stack, l.Action, l.Object, change, verdict))
}

func verdictTone(verdict string) render.Tone {
	switch verdict {
	case "converged":
		return render.ToneOK
	case audit.Applied, audit.Detached:
		return render.ToneMuted
	}
	return render.ToneDanger
}
