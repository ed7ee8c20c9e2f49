package common

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/render"
)

// AgeTimer keeps a view's ages ("running 14s") true while no new snapshot
// comes: it wakes the view when the first shown age would read differently,
// and only then. A stable stack of hour-old tasks wakes it once an hour,
// which keeps an idle UI idle; a task started seconds ago ticks every second.
type AgeTimer struct {
	due time.Time // when the pending timer fires; zero when none is
}

// AgesDue is the message an AgeTimer's timer sends at At.
type AgesDue struct{ At time.Time }

// Follow makes sure a timer fires by next, the moment the first shown age
// changes (zero: none will). A timer already due by then is kept.
func (a *AgeTimer) Follow(now, next time.Time) tea.Cmd {
	if next.IsZero() || (!a.due.IsZero() && !a.due.After(next)) {
		return nil
	}
	a.due = next
	return tea.Tick(next.Sub(now), func(time.Time) tea.Msg { return AgesDue{At: next} })
}

// FollowTasks follows the ages of tasks shown as render.TaskRow shows
// them, for view id: what a view showing tasks runs after each Update.
func (a *AgeTimer) FollowTasks(id ViewID, now time.Time, shown []swarm.Task) tea.Cmd {
	return Tag(id, a.Follow(now, render.NextTaskAgeChange(shown, now)))
}

// Due says whether msg is the pending timer, and clears it if so: the view
// then redraws its ages and follows them again. A timer that was replaced
// by an earlier one is stale.
func (a *AgeTimer) Due(msg AgesDue) bool {
	if a.due.IsZero() || !msg.At.Equal(a.due) {
		return false
	}
	a.due = time.Time{}
	return true
}
