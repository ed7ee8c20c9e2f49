package swarm

import (
	"fmt"
	"slices"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

// A service whose tasks keep failing never converges, and when no update
// is in flight (a service just created or scaled) no UpdateStatus will
// ever say so: swarm either gives up restarting a slot once its restart
// policy runs out, leaving the slot empty, or restarts it for ever. The
// rules here end such a wait with a Failed verdict.

// crashLoopFailures is how many failures in a row, none of them after a
// task that stayed up through the monitor window, make a slot with
// unlimited restarts a crash loop. One or two quick failures happen to
// healthy services too (a dependency still starting); a third means the
// service will not come up by itself, and waiting on only costs more
// restart delays.
const crashLoopFailures = 3

// stuckSlot is a slot (or node) whose tasks keep failing.
type stuckSlot struct {
	key    string // "slot 1", "node node-1"
	reason string // the verdict's message
	// settle: the verdict waits until the slot has stayed without a live
	// task for the watcher's settle time, as swarm replaces a failed task
	// only a moment after it failed.
	settle bool
}

// slotTrouble reads one slot's (or node's) tasks for failures that will
// not heal by themselves. It counts only tasks created since the change
// started: earlier failures belong to earlier changes, and swarm resets
// its restart count when the spec changes.
func slotTrouble(key string, group []swarm.Task, obs servicePoll) (stuckSlot, bool) {
	tasks := tasksSince(group, obs.since)
	failures := failureCount(tasks)
	if failures == 0 {
		return stuckSlot{}, false
	}
	lastErr := withError(latestTaskErr(tasks, nil))
	policy := obs.service.Spec.TaskTemplate.RestartPolicy
	if restartGivesUp(policy, failures) && !slotHasLiveTask(group) {
		return stuckSlot{key: key, reason: givenUpText(policy, key) + lastErr, settle: true}, true
	}
	if !mayRestartForever(policy) {
		return stuckSlot{}, false
	}
	n := failuresInARow(tasks, obs.started, monitorWindow(obs.service.Spec))
	if n < crashLoopFailures {
		return stuckSlot{}, false
	}
	return stuckSlot{key: key, reason: fmt.Sprintf("tasks keep failing (%d failures in %s since the change)%s", n, key, lastErr)}, true
}

// tasksSince keeps the tasks created at or after since (engine clock), in
// the order they were created.
func tasksSince(group []swarm.Task, since time.Time) []swarm.Task {
	tasks := slices.DeleteFunc(slices.Clone(group), func(t swarm.Task) bool { return t.Meta.CreatedAt.Before(since) })
	slices.SortStableFunc(tasks, func(a, b swarm.Task) int { return a.Meta.CreatedAt.Compare(b.Meta.CreatedAt) })
	return tasks
}

// slotHasLiveTask reports a task that is, or is about to be, on its way to
// running: while one exists, swarm has not given up on the slot.
func slotHasLiveTask(group []swarm.Task) bool {
	return slices.ContainsFunc(group, func(t swarm.Task) bool {
		return !pastRunning(t.Status.State) && !pastRunning(t.DesiredState)
	})
}

// mayRestartForever reports a restart policy that never runs out: no
// limit, or a limit counted within a window, which failures spaced wider
// than the window never reach.
func mayRestartForever(p *swarm.RestartPolicy) bool {
	switch {
	case p == nil:
		return true
	case p.Condition == swarm.RestartPolicyConditionNone:
		return false
	}
	return p.MaxAttempts == nil || *p.MaxAttempts == 0 || (p.Window != nil && *p.Window > 0)
}

// failuresInARow counts the failed tasks since the last one that had
// stayed running through the monitor window: a task that stays up that
// long proves the slot can run, and only failures after it point to a
// crash loop. tasks are in creation order.
func failuresInARow(tasks []swarm.Task, started map[string]time.Time, monitor time.Duration) int {
	n := 0
	for _, t := range tasks {
		switch {
		case !stateFailed(t.Status.State):
		case stayedUp(t, started, monitor):
			n = 0
		default:
			n++
		}
	}
	return n
}

// stayedUp reports a finished task that had run for at least the monitor
// window. Both times are the engine's: when the watcher first saw the task
// running, its status time was its start; once finished, its end. A task
// never seen running ran for less than a poll interval.
func stayedUp(t swarm.Task, started map[string]time.Time, monitor time.Duration) bool {
	start, ok := started[t.ID]
	return ok && t.Status.Timestamp.Sub(start) >= monitor
}

// givenUpText says why a slot's restart policy will start no more tasks.
func givenUpText(p *swarm.RestartPolicy, key string) string {
	if p.Condition == swarm.RestartPolicyConditionNone {
		return fmt.Sprintf("a task failed in %s and the restart policy allows no restarts", key)
	}
	attempts := fmt.Sprintf("%d attempts", *p.MaxAttempts)
	if *p.MaxAttempts == 1 {
		attempts = "1 attempt"
	}
	return fmt.Sprintf("restart policy gave up after %s in %s", attempts, key)
}

// withError is ": err", or nothing without an error.
func withError(err string) string {
	if err == "" {
		return ""
	}
	return ": " + err
}

// noteStarted remembers when each task was first seen running, as the
// engine stamped it, so that failuresInARow can tell how long it ran.
func (w *changeWatcher) noteStarted(tasks []swarm.Task) {
	if w.started == nil {
		w.started = map[string]time.Time{}
	}
	for _, t := range tasks {
		if _, seen := w.started[t.ID]; !seen && t.Status.State == swarm.TaskStateRunning {
			w.started[t.ID] = t.Status.Timestamp
		}
	}
}

// stuckVerdict is why the service cannot converge by itself, or "". While
// the engine's updater has an update or rollback in flight, its failure
// action (pause, rollback, continue) speaks instead, unless the change is
// a scale, whose new tasks the updater does not watch. A created service
// has no UpdateStatus at all, so the rule applies to it.
func (w *changeWatcher) stuckVerdict(t taskTally, st statusReading, now time.Time) string {
	reason := w.settledTrouble(t.stuck, now)
	if t.converged || (st.inFlight && w.change.Action != ActionScale) {
		return ""
	}
	return reason
}

// settledTrouble keeps, for each troubled slot, when it was first seen so,
// and returns the first reason that needs no settling or has settled.
func (w *changeWatcher) settledTrouble(stuck []stuckSlot, now time.Time) string {
	since := map[string]time.Time{}
	reason := ""
	for _, s := range stuck {
		first, ok := w.stuckSince[s.key]
		if !ok {
			first = now
		}
		since[s.key] = first
		if reason == "" && (!s.settle || now.Sub(first) >= w.settle) {
			reason = s.reason
		}
	}
	w.stuckSince = since // a slot that recovered starts over
	return reason
}
