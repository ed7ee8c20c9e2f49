package swarm

import (
	"context"
	"fmt"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
	"golang.org/x/sync/singleflight"
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
// docker CLI follows one service after another): each service is polled on
// its own, so one whose reads hang holds back no other, and the node list
// every poll needs is shared among the polls of about the same moment.
// onProgress, if not nil, is called after every poll of every service;
// calls are serialised, so it needs no locking of its own. When ctx ends,
// each service still in flight gets a Detached verdict saying where it
// stood.
func (e *Engine) Converge(ctx context.Context, changes []Change, opts ConvergeOptions, onProgress func(Progress)) []Verdict {
	if opts.PollInterval <= 0 {
		opts.PollInterval = convergePollInterval
	}
	if opts.LossTimeout <= 0 {
		opts.LossTimeout = convergeLossTimeout
	}
	if onProgress == nil {
		onProgress = func(Progress) {}
	}
	start := time.Now()
	followers := make([]*follower, len(changes))
	for i, c := range changes {
		followers[i] = newFollower(c, opts, start)
	}
	e.followAll(ctx, followers, opts, onProgress)
	verdicts := make([]Verdict, len(changes))
	for i, f := range followers {
		verdicts[i] = *f.verdict
	}
	// Every caller waits for verdicts the audit log should hold, next to
	// the change's own line (once per change: see takeChange).
	e.AuditVerdicts(changes, verdicts)
	return verdicts
}

// followAll follows each service in a goroutine of its own until each has
// a verdict.
func (e *Engine) followAll(ctx context.Context, followers []*follower, opts ConvergeOptions, onProgress func(Progress)) {
	timeUp := make(chan struct{})
	if opts.Timeout > 0 {
		timer := time.AfterFunc(opts.Timeout, func() { close(timeUp) })
		defer timer.Stop()
	}
	nodesCtx, stopNodes := context.WithCancel(ctx)
	defer stopNodes()
	var mu sync.Mutex
	run := &followRun{
		engine: e,
		opts:   opts,
		nodes:  &sharedNodeList{engine: e, ctx: nodesCtx, lossTimeout: opts.LossTimeout, fresh: opts.PollInterval / 2},
		beat:   pollBeat{start: time.Now(), interval: opts.PollInterval},
		timeUp: timeUp,
		report: func(p Progress) {
			mu.Lock()
			defer mu.Unlock()
			onProgress(p)
		},
	}
	var wg sync.WaitGroup
	for _, f := range followers {
		wg.Go(func() { run.follow(ctx, f) })
	}
	wg.Wait()
}

// followRun is what the followers of one Converge share.
type followRun struct {
	engine *Engine
	opts   ConvergeOptions
	nodes  *sharedNodeList
	beat   pollBeat
	timeUp <-chan struct{} // closed when opts.Timeout runs out
	report func(Progress)  // serialised
}

// pollBeat is the moments all followers poll at: start, then every
// interval. On one beat their polls meet and share a node list; a poll
// that takes longer than an interval waits for the next beat.
type pollBeat struct {
	start    time.Time
	interval time.Duration
}

// next is how long from now until the next beat (a whole interval when now
// is on one).
func (b pollBeat) next(now time.Time) time.Duration {
	return b.interval - now.Sub(b.start)%b.interval
}

// follow polls one service until it has a verdict, ctx ends or time is up.
func (r *followRun) follow(ctx context.Context, f *follower) {
	for {
		r.poll(ctx, f)
		if f.verdict != nil {
			return
		}
		select {
		case <-ctx.Done():
			f.end(Verdict{Kind: Detached, Message: "stopped watching, " + f.w.where() + "; the update continues in the background"})
			return
		case <-r.timeUp:
			f.end(Verdict{Kind: Failed, Message: fmt.Sprintf("not converged after %s: %s", r.opts.Timeout, f.w.where())})
			return
		case <-time.After(r.beat.next(time.Now())):
		}
	}
}

// poll reads the service, its tasks and the live nodes once and hands them
// to the follower.
func (r *followRun) poll(ctx context.Context, f *follower) {
	// A hung engine must fail the poll, not stall the watch.
	readCtx, cancel := context.WithTimeout(ctx, r.opts.LossTimeout)
	defer cancel()
	obs, err := r.engine.observe(readCtx, f.change.ServiceID, r.nodes.get)
	f.take(ctx, r.engine, obs, err, r.opts.LossTimeout, r.report)
}

// sharedNodeList lists the swarm's live nodes for the polls of all
// followed services: they poll on one beat, and the nodes are the same for
// all of them, so a list younger than fresh (half a beat) is handed out
// again, and polls that ask while a list is being read wait for that one.
type sharedNodeList struct {
	engine      *Engine
	ctx         context.Context // ends when following ends
	lossTimeout time.Duration   // bounds each read, as it bounds a poll
	fresh       time.Duration
	reads       singleflight.Group

	mu     sync.Mutex
	nodes  map[string]string // the last list read without error
	readAt time.Time
}

// get returns a recent list, or waits for a new one until ctx ends.
func (n *sharedNodeList) get(ctx context.Context) (map[string]string, error) {
	n.mu.Lock()
	nodes, readAt := n.nodes, n.readAt
	n.mu.Unlock()
	if nodes != nil && time.Since(readAt) < n.fresh {
		return nodes, nil
	}
	select {
	case res := <-n.reads.DoChan("nodes", n.read):
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(map[string]string), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (n *sharedNodeList) read() (any, error) {
	ctx, cancel := context.WithTimeout(n.ctx, n.lossTimeout)
	defer cancel()
	nodes, err := n.engine.liveNodes(ctx)
	if err == nil {
		n.mu.Lock()
		n.nodes, n.readAt = nodes, time.Now()
		n.mu.Unlock()
	}
	return nodes, err
}

// follower is the state of following one change across polls.
type follower struct {
	change   Change
	w        *changeWatcher
	start    time.Time
	lastGood time.Time // when a poll last succeeded
	verdict  *Verdict  // set once following is over
}

func newFollower(c Change, opts ConvergeOptions, start time.Time) *follower {
	w := newChangeWatcher(c)
	w.settle = settlePolls * opts.PollInterval
	// The engine answered the change's write just now.
	return &follower{change: c, w: w, start: start, lastGood: start}
}

// take handles one poll of the service, or its failure.
func (f *follower) take(ctx context.Context, e *Engine, obs servicePoll, err error, lossTimeout time.Duration, report func(Progress)) {
	switch {
	case err == nil:
		f.lastGood = time.Now()
		if p, v, fresh := f.w.step(obs, time.Now()); fresh {
			report(p)
			if v != nil {
				f.end(*v)
			}
		}
	case cerrdefs.IsNotFound(err):
		f.end(Verdict{Kind: Failed, Message: "the service was removed while swarmtop watched it"})
	case ctx.Err() == nil && time.Since(f.lastGood) >= lossTimeout:
		f.end(e.lostVerdict(err, f.w))
	}
}

// end sets the verdict, with what every verdict carries.
func (f *follower) end(v Verdict) {
	v.Service, v.Elapsed = f.change.Service, time.Since(f.start)
	v.TaskErrors = f.w.errs.list()
	f.verdict = &v
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

// observe reads a service, its tasks and the live nodes (from liveNodes),
// all at once. The service's own error comes first: a removed service is a
// verdict.
func (e *Engine) observe(ctx context.Context, id string, liveNodes func(context.Context) (map[string]string, error)) (servicePoll, error) {
	var obs servicePoll
	var nodes map[string]string
	err := inParallel(
		func() (err error) { obs, err = e.readService(ctx, id); return err },
		func() (err error) { nodes, err = liveNodes(ctx); return err },
	)
	obs.nodes = nodes
	return obs, err
}

// readService reads a service and its tasks. The internal `_up-to-date`
// task filter (the one `docker service update` waits with) lets the
// manager tell which tasks match the current spec, which the client cannot
// reliably work out from a spec it did not insert defaults into. The three
// reads go out at once: a poll waits for the slowest.
func (e *Engine) readService(ctx context.Context, id string) (servicePoll, error) {
	var svc swarm.Service
	var all, fresh client.TaskListResult
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
	)
	if err != nil {
		return servicePoll{}, err
	}
	obs := servicePoll{service: svc, tasks: all.Items, upToDate: map[string]bool{}}
	for _, t := range fresh.Items {
		obs.upToDate[t.ID] = true
	}
	return obs, nil
}

// liveNodes lists the nodes that are not down: ID → hostname.
func (e *Engine) liveNodes(ctx context.Context) (map[string]string, error) {
	res, err := e.api.NodeList(ctx, client.NodeListOptions{})
	if err != nil {
		return nil, err
	}
	nodes := map[string]string{}
	for _, n := range res.Items {
		if n.Status.State != swarm.NodeStateDown {
			nodes[n.ID] = n.Description.Hostname
		}
	}
	return nodes, nil
}
