package ops

import (
	"fmt"
	"strings"
	"time"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/render"
)

// Status is what the UI knows about one op in flight or finished.
type Status struct {
	ID       int
	Op       Op
	Started  time.Time
	Progress *swarm.Progress
	Done     bool
	Err      error
	Verdicts []swarm.Verdict
	Drain    *swarm.DrainProgress // a drain op's latest poll
	Node     *NodeResult          // a node op's outcome
}

// OK: finished, and every service converged.
func (s Status) OK() bool {
	if !s.Done || s.Err != nil {
		return false
	}
	if s.Node != nil && !s.Node.OK() {
		return false
	}
	for _, v := range s.Verdicts {
		if !v.OK() {
			return false
		}
	}
	return true
}

// Line is the one-line state for the status bar: per-slot progress while
// it runs, the verdict once done, after a mark (… ✓ ✗).
func (s Status) Line() string { return s.mark() + s.Text() }

// Text is Line without its mark: what the activity log keeps.
func (s Status) Text() string {
	switch {
	case s.Err != nil:
		return s.Op.Short() + ": " + render.Clean(s.Err.Error())
	case s.Done && s.Node != nil:
		return s.Op.Short() + ": " + s.Node.Text()
	case s.Done:
		return s.verdictText()
	case s.Drain != nil:
		return s.Op.Short() + ": " + render.Clean(s.Drain.Text())
	case s.Progress == nil:
		return s.Op.Short() + ": sent"
	}
	return s.Op.Short() + ": " + ProgressText(*s.Progress)
}

func (s Status) verdictText() string {
	if len(s.Verdicts) == 0 {
		return s.Op.Short() + ": nothing to change"
	}
	parts := make([]string, 0, len(s.Verdicts))
	for _, v := range s.Verdicts {
		parts = append(parts, VerdictText(v))
	}
	return s.Op.Short() + ": " + strings.Join(parts, "; ")
}

func (s Status) mark() string {
	switch {
	case s.Err != nil:
		return "✗ "
	case !s.Done:
		return "… "
	case s.Node == nil && len(s.Verdicts) == 0, s.OK(): // nothing to change counts as done well
		return "✓ "
	}
	return "✗ "
}

// ProgressText is "2/3 running · updating · web.2 running (old), web.3 starting".
func ProgressText(p swarm.Progress) string {
	out := fmt.Sprintf("%d/%d running", p.Running, p.Desired)
	if p.UpdateState != "" {
		out += " · " + render.Clean(p.UpdateState)
	}
	// Slots already running the new spec say nothing new: list the others,
	// which are what an operator waits on.
	slots := make([]string, 0, len(p.Slots))
	for _, sl := range p.Slots {
		if sl.State != "running" || !sl.UpToDate {
			slots = append(slots, slotText(p.Service, sl))
		}
	}
	if len(slots) > 0 {
		out += " · " + strings.Join(slots, ", ")
	}
	return out
}

func slotText(service string, s swarm.SlotProgress) string {
	name := fmt.Sprintf("%s.%d", render.Clean(service), s.Slot)
	if s.Slot == 0 {
		name = render.Clean(service) + "@" + render.Clean(s.Node)
	}
	out := name + " " + render.Clean(s.State)
	if !s.UpToDate {
		out += " (old)"
	}
	if s.Err != "" {
		out += ": " + render.Clean(s.Err)
	}
	return out
}

// VerdictText is "web converged in 4s" plus the message and task errors.
func VerdictText(v swarm.Verdict) string {
	out := fmt.Sprintf("%s %s in %s", render.Clean(v.Service), v.Kind, v.Elapsed.Round(time.Second))
	if v.Kind != swarm.Converged && v.Message != "" {
		out += ": " + render.Clean(v.Message)
	}
	for _, e := range v.TaskErrors {
		out += " | " + render.Clean(e)
	}
	return out
}
