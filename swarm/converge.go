package swarm

import (
	"context"
	"fmt"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
)

// VerdictKind is how following one changed service ended.
type VerdictKind int

const (
	// Converged: every task runs the new spec and stayed up through the
	// monitor window (a job: reached its completions).
	Converged VerdictKind = iota + 1
	// Paused: the engine paused the update after task failures; the
	// service runs a mix of old and new tasks until someone acts.
	Paused
	// RolledBack: the engine rolled the update back after task failures.
	RolledBack
	// Failed: the change cannot succeed as it stands (a job ran out of
	// restarts, a service's tasks keep failing with no update to stop
	// them, a rollback paused, the service was removed, time ran out).
	Failed
	// Detached: swarmtop stopped watching (interrupted, or lost the engine);
	// the engine carries on with the update regardless.
	Detached
)

func (k VerdictKind) String() string {
	switch k {
	case Converged:
		return "converged"
	case Paused:
		return "paused"
	case RolledBack:
		return "rolled back"
	case Failed:
		return "failed"
	case Detached:
		return "detached"
	default:
		return "unknown"
	}
}

// Verdict is the outcome of one changed service.
type Verdict struct {
	Service    string // short name
	Kind       VerdictKind
	Message    string   // what happened, in the engine's words where it has any
	TaskErrors []string // errors of tasks that failed while we watched, untruncated, each once
	Elapsed    time.Duration
	// Err is why a Detached watch stopped early: an *EngineLostError when
	// the engine could not be reached for ConvergeOptions.LossTimeout.
	Err error
}

// OK reports a service that converged.
func (v Verdict) OK() bool { return v.Kind == Converged }

// ExitCodeFor is the process exit status for a set of verdicts: 0 when all
// converged, 1 otherwise.
func ExitCodeFor(verdicts []Verdict) int {
	for _, v := range verdicts {
		if !v.OK() {
			return 1
		}
	}
	return 0
}

// SlotProgress is one replica slot (replicated), job task, or node (global).
type SlotProgress struct {
	Slot     int    // slot number from 1; 0 for global services
	Node     string // hostname running the task, "" while unassigned
	State    string // observed task state: pending, starting, running, failed, …
	UpToDate bool   // the task runs the current spec
	Err      string // the slot's latest task error while it is not running, untruncated
}

// Progress is a snapshot of one service on its way to a verdict.
type Progress struct {
	Service     string
	UpdateState string // the engine's update state (updating, rollback_started, …); "" for none
	Running     int    // tasks running the current spec; for jobs, completed tasks
	Desired     int    // replicas, nodes, or job completions
	Slots       []SlotProgress
	Message     string
}

// ConvergeOptions tunes Converge. The zero value is ready to use.
type ConvergeOptions struct {
	// PollInterval between reads of a service and its tasks (default
	// 500 ms). Swarm emits no task events, so polling is the only way.
	PollInterval time.Duration
	// Timeout gives up with a Failed verdict after this long; 0 waits
	// until ctx ends.
	Timeout time.Duration
	// LossTimeout gives up with a Detached verdict when no poll has
	// succeeded for this long (default 10 s): the engine is gone, and a
	// wait must end rather than hang. It also bounds each poll, so an
	// engine that accepts and never answers is a failure too.
	LossTimeout time.Duration
}

const (
	convergePollInterval = 500 * time.Millisecond
	// defaultMonitorWindow is swarmkit's own monitor window when UpdateConfig
	// sets none.
	defaultMonitorWindow = 5 * time.Second
	// convergeLossTimeout rides out an engine restart's first seconds, yet
	// ends the wait before an operator wonders whether swarmtop hangs.
	convergeLossTimeout = 10 * time.Second
	// settlePolls is how many polls a slot whose restart policy ran out
	// must stay without a live task before it counts as given up: swarm
	// replaces a failed task a moment after the failure, not with it.
	settlePolls = 2
)

// Converge follows every changed service to a verdict, all at once (the
// docker CLI follows one service after another). onProgress, if not nil, is
// called after every poll of every service; calls are serialised, so it
// needs no locking of its own. When ctx ends, each service still in flight
// gets a Detached verdict saying where it stood.
func (e *Engine) Converge(ctx context.Context, changes []Change, opts ConvergeOptions, onProgress func(Progress)) []Verdict {
	if opts.PollInterval <= 0 {
		opts.PollInterval = convergePollInterval
	}
	if opts.LossTimeout <= 0 {
		opts.LossTimeout = convergeLossTimeout
	}
	var mu sync.Mutex
	report := func(p Progress) {
		if onProgress != nil {
			mu.Lock()
			defer mu.Unlock()
			onProgress(p)
		}
	}
	verdicts := make([]Verdict, len(changes))
	var wg sync.WaitGroup
	for i, c := range changes {
		wg.Go(func() { verdicts[i] = e.follow(ctx, c, opts, report) })
	}
	wg.Wait()
	// Every caller waits for verdicts the audit log should hold, next to
	// the change's own line (once per change: see takeChange).
	e.AuditVerdicts(changes, verdicts)
	return verdicts
}

// follow polls one service until its watcher reaches a verdict.
func (e *Engine) follow(ctx context.Context, c Change, opts ConvergeOptions, report func(Progress)) Verdict {
	start := time.Now()
	w := newChangeWatcher(c)
	w.settle = settlePolls * opts.PollInterval
	finish := func(v Verdict) Verdict {
		v.Service, v.Elapsed = c.Service, time.Since(start)
		v.TaskErrors = w.errs.list()
		return v
	}
	var deadline <-chan time.Time
	if opts.Timeout > 0 {
		timer := time.NewTimer(opts.Timeout)
		defer timer.Stop()
		deadline = timer.C
	}
	lastGood := start // the engine answered the change's write just now
	for {
		obs, err := e.observeWithin(ctx, c.ServiceID, opts.LossTimeout)
		switch {
		case err == nil:
			lastGood = time.Now()
			if p, v, fresh := w.step(obs, time.Now()); fresh {
				report(p)
				if v != nil {
					return finish(*v)
				}
			}
		case cerrdefs.IsNotFound(err):
			return finish(Verdict{Kind: Failed, Message: "the service was removed while swarmtop watched it"})
		case ctx.Err() == nil && time.Since(lastGood) >= opts.LossTimeout:
			return finish(e.lostVerdict(err, w))
		}
		select {
		case <-ctx.Done():
			return finish(Verdict{Kind: Detached, Message: "stopped watching, " + w.where() + "; the update continues in the background"})
		case <-deadline:
			return finish(Verdict{Kind: Failed, Message: fmt.Sprintf("not converged after %s: %s", opts.Timeout, w.where())})
		case <-time.After(opts.PollInterval):
		}
	}
}

// lostVerdict ends a watch whose polls kept failing. Err carries an
// *EngineLostError when the engine could not be reached at all, so that a
// caller can tell a lost engine (exit 3) from one that answered with errors.
func (e *Engine) lostVerdict(err error, w *changeWatcher) Verdict {
	v := Verdict{Kind: Detached, Err: err,
		Message: fmt.Sprintf("lost contact with the engine (%v), %s; the update continues in the background", err, w.where())}
	if EngineLost(err) {
		v.Err = &EngineLostError{Host: e.Host, Err: err}
	}
	return v
}

// observeWithin is observe bounded in time: a hung engine must fail the
// poll, not stall the watch.
func (e *Engine) observeWithin(ctx context.Context, id string, limit time.Duration) (servicePoll, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	return e.observe(ctx, id)
}

// servicePoll is one poll of a service: what the engine says about it,
// its tasks and the nodes they can run on.
type servicePoll struct {
	service  swarm.Service
	tasks    []swarm.Task      // every task, task history included
	upToDate map[string]bool   // IDs of tasks that match the current spec
	nodes    map[string]string // nodes that are not down: ID → hostname
	old      map[string]bool   // tasks whose errors belong to earlier changes
	// Set by the watcher for slotTrouble: when the change started (engine
	// clock), and when each task was first seen running.
	since   time.Time
	started map[string]time.Time
}

// observe reads a service, its tasks and the live nodes. The internal
// `_up-to-date` task filter (the one `docker service update` waits with)
// lets the manager tell which tasks match the current spec, which the
// client cannot reliably work out from a spec it did not insert defaults
// into. The four reads go out at once: a poll waits for the slowest.
func (e *Engine) observe(ctx context.Context, id string) (servicePoll, error) {
	var svc swarm.Service
	var all, fresh client.TaskListResult
	var nodes client.NodeListResult
	byService := make(client.Filters).Add("service", id)
	err := inParallel(
		func() (err error) { svc, err = e.inspectService(ctx, id); return err },
		func() (err error) {
			all, err = e.api.TaskList(ctx, client.TaskListOptions{Filters: byService})
			return err
		},
		func() (err error) {
			upToDate := make(client.Filters).Add("service", id).Add("_up-to-date", "true")
			fresh, err = e.api.TaskList(ctx, client.TaskListOptions{Filters: upToDate})
			return err
		},
		func() (err error) { nodes, err = e.api.NodeList(ctx, client.NodeListOptions{}); return err },
	)
	if err != nil {
		return servicePoll{}, err
	}
	obs := servicePoll{service: svc, tasks: all.Items, upToDate: map[string]bool{}, nodes: map[string]string{}}
	for _, t := range fresh.Items {
		obs.upToDate[t.ID] = true
	}
	for _, n := range nodes.Items {
		if n.Status.State != swarm.NodeStateDown {
			obs.nodes[n.ID] = n.Description.Hostname
		}
	}
	return obs, nil
}
