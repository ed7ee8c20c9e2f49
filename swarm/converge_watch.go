package swarm

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

// changeWatcher is the state of following one change, fed one observation
// per poll. It does no I/O, so the rules can be tested with made-up tasks.
type changeWatcher struct {
	change Change
	// old holds tasks that had finished before the service was last
	// written when watching began: their errors belong to earlier changes.
	old            map[string]bool
	errs           taskErrorSet
	stableSince    time.Time       // when the tasks were last seen converged without a break
	rollbackReason string          // why the engine started a rollback; the final status drops it
	jobNodes       map[string]bool // global job: the nodes its first tasks went to
	last           Progress
	// For the failing-slot rules (converge_stuck.go):
	since      time.Time            // when the change started, engine clock
	started    map[string]time.Time // task ID → first seen running, engine clock
	stuckSince map[string]time.Time // slot key → first poll that saw it given up
	settle     time.Duration        // how long a given-up slot must stay so
}

func newChangeWatcher(c Change) *changeWatcher {
	return &changeWatcher{change: c, last: Progress{Service: c.Service}, settle: settlePolls * convergePollInterval}
}

// step takes one poll and returns the progress to show and, once
// following is over, the verdict. fresh is false for a read older than the
// change itself, which says nothing about it.
func (w *changeWatcher) step(obs servicePoll, now time.Time) (p Progress, v *Verdict, fresh bool) {
	svc := obs.service
	if svc.Meta.Version.Index < w.change.Version {
		return w.last, nil, false
	}
	if w.old == nil {
		w.old = finishedTaskIDs(obs.tasks, svc.Meta.UpdatedAt)
		w.since = svc.Meta.UpdatedAt
	}
	w.errs.collect(obs.tasks, w.old)
	w.noteStarted(obs.tasks)
	obs.old, obs.since, obs.started = w.old, w.since, w.started

	t := w.count(obs)
	st := judgeUpdateStatus(svc.UpdateStatus)
	if st.rollingBack && st.reason != "" {
		w.rollbackReason = st.reason
	}
	kind, msg := w.judge(t, st, monitorWindow(svc.Spec), now)

	w.last = Progress{Service: w.change.Service, Running: t.running, Desired: t.desired, Slots: t.slots, Message: msg}
	if svc.UpdateStatus != nil {
		w.last.UpdateState = string(svc.UpdateStatus.State)
	}
	if kind != 0 {
		return w.last, &Verdict{Kind: kind, Message: msg}, true
	}
	return w.last, nil, true
}

// count counts the service's tasks the way its mode needs.
func (w *changeWatcher) count(obs servicePoll) taskTally {
	spec := obs.service.Spec
	switch changeMode(spec.Mode) {
	case ModeGlobal:
		return tallyGlobal(obs)
	case ModeReplicatedJob:
		return tallyReplicatedJob(obs)
	case ModeGlobalJob:
		if w.jobNodes == nil {
			w.jobNodes = globalJobNodes(obs)
		}
		return tallyGlobalJob(obs, w.jobNodes)
	default:
		replicas := uint64(1)
		if r := spec.Mode.Replicated; r != nil {
			replicas = countOrOne(r.Replicas)
		}
		return tallyReplicated(obs, int(replicas))
	}
}

// judge decides whether following is over, and says where things stand.
// Kind 0 means keep watching.
func (w *changeWatcher) judge(t taskTally, st statusReading, monitor time.Duration, now time.Time) (VerdictKind, string) {
	if !t.converged {
		w.stableSince = time.Time{}
	}
	stuck := w.stuckVerdict(t, st, now)
	switch {
	case st.verdict != 0:
		return st.verdict, st.message
	case t.failure != "":
		return Failed, t.failure
	case stuck != "":
		return Failed, stuck
	case st.rollingBack && !st.done:
		return 0, "rolling back: " + w.rollbackReason
	case !t.converged:
		return 0, t.waiting
	case st.rollingBack && w.change.Action == ActionRollback:
		return Converged, "rolled back to the previous spec"
	case st.rollingBack && w.rollbackReason == "":
		return RolledBack, "the engine rolled back the update after task failures"
	case st.rollingBack:
		return RolledBack, w.rollbackReason
	case t.job:
		return Converged, t.summary
	case st.done:
		// The engine's updater has already watched the new tasks through
		// its own monitor window before marking the update completed.
		return Converged, "update completed"
	}
	if w.stableSince.IsZero() {
		w.stableSince = now
	}
	if now.Sub(w.stableSince) < monitor {
		return 0, fmt.Sprintf("all up; checking they stay up for %s", monitor)
	}
	return Converged, t.summary
}

// where says how far the service got, for a watch cut short.
func (w *changeWatcher) where() string {
	if w.old == nil {
		return "not read yet"
	}
	where := fmt.Sprintf("last seen at %d/%d", w.last.Running, w.last.Desired)
	if w.last.Message != "" {
		where += " (" + w.last.Message + ")"
	}
	return where
}

// monitorWindow is how long tasks must stay up before an update counts as
// converged: the service's own monitor window, else swarmkit's default.
func monitorWindow(spec swarm.ServiceSpec) time.Duration {
	if u := spec.UpdateConfig; u != nil && u.Monitor > 0 {
		return u.Monitor
	}
	return defaultMonitorWindow
}

// statusReading is what the engine's UpdateStatus says about the update.
type statusReading struct {
	verdict     VerdictKind // a verdict the status alone decides (paused); 0 if none
	message     string
	rollingBack bool   // the engine is restoring, or has restored, the previous spec
	reason      string // the engine's message when a rollback starts
	done        bool   // the engine finished its update or rollback
	// inFlight: an update or rollback of the updater's own, whose outcome
	// (paused, rolled back) the engine reports: failing tasks are its to judge.
	inFlight bool
}

// judgeUpdateStatus maps the engine's update states. nil (no update running,
// or a change such as a scale that replaces no task) decides nothing.
func judgeUpdateStatus(st *swarm.UpdateStatus) statusReading {
	if st == nil {
		return statusReading{}
	}
	switch st.State {
	case swarm.UpdateStatePaused:
		return statusReading{verdict: Paused, message: cmp.Or(st.Message, "update paused")}
	case swarm.UpdateStateRollbackPaused:
		// A rollback that failed too leaves the service stuck between
		// specs: nothing will finish on its own.
		// The engine reuses the update's wording ("update paused due to
		// …") for a paused rollback.
		return statusReading{verdict: Failed, message: strings.TrimSuffix("rollback paused: "+st.Message, ": ")}
	case swarm.UpdateStateRollbackStarted:
		return statusReading{rollingBack: true, reason: st.Message, inFlight: true}
	case swarm.UpdateStateRollbackCompleted:
		return statusReading{rollingBack: true, done: true, inFlight: true}
	case swarm.UpdateStateCompleted:
		return statusReading{done: true}
	case swarm.UpdateStateUpdating:
		return statusReading{inFlight: true}
	}
	return statusReading{}
}

// finishedTaskIDs are the IDs of tasks in a terminal state that were
// created before the given time (engine clock). Tasks of this change are
// all created after the write that made it, so a task that failed before
// the first poll still counts as this change's failure.
func finishedTaskIDs(tasks []swarm.Task, before time.Time) map[string]bool {
	old := map[string]bool{}
	for _, t := range tasks {
		if pastRunning(t.Status.State) && t.Meta.CreatedAt.Before(before) {
			old[t.ID] = true
		}
	}
	return old
}

// taskErrorSet gathers task errors, untruncated, each text once with how many
// tasks reported it, in the order first seen.
type taskErrorSet struct {
	seen  map[string]bool // task IDs already counted
	order []string
	count map[string]int
}

// collect adds the errors of tasks not in old.
func (e *taskErrorSet) collect(tasks []swarm.Task, old map[string]bool) {
	if e.seen == nil {
		e.seen, e.count = map[string]bool{}, map[string]int{}
	}
	for _, t := range tasks {
		msg := t.Status.Err
		if msg == "" || old[t.ID] || e.seen[t.ID] {
			continue
		}
		e.seen[t.ID] = true
		if e.count[msg] == 0 {
			e.order = append(e.order, msg)
		}
		e.count[msg]++
	}
}

func (e *taskErrorSet) list() []string {
	var out []string
	for _, msg := range e.order {
		if n := e.count[msg]; n > 1 {
			msg = fmt.Sprintf("%s (%d tasks)", msg, n)
		}
		out = append(out, msg)
	}
	return out
}
