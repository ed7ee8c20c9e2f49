package swarm

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
)

// WatchOptions tunes Watch; zero fields take the defaults.
type WatchOptions struct {
	// FastPoll is the task poll interval while a service is updating or not
	// converged (default 1 s). The engine emits no task events, so task
	// state can only be polled.
	FastPoll time.Duration
	// SlowPoll is the task poll interval when everything is stable
	// (default 5 s).
	SlowPoll time.Duration
	// Debounce gathers a burst of events (one deploy sends several) into
	// one re-read (default 200 ms).
	Debounce time.Duration
	// RetryMin and RetryMax bound the backoff between attempts to
	// re-subscribe to a dropped event stream (default 250 ms and 1 s).
	// While the engine cannot be read, reads are retried every RetryMax.
	// The cap is low so that a returning engine shows within about a
	// second; a refused connection costs the engine nothing.
	RetryMin, RetryMax time.Duration
}

func (o WatchOptions) withDefaults() WatchOptions {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.FastPoll, time.Second)
	def(&o.SlowPoll, 5*time.Second)
	def(&o.Debounce, 200*time.Millisecond)
	def(&o.RetryMin, 250*time.Millisecond)
	def(&o.RetryMax, time.Second)
	return o
}

// WatchUpdate is one message from Watch.
type WatchUpdate struct {
	// Snapshot is the newest good read; on an error it is the last one.
	Snapshot Snapshot
	// Events are the stack's swarm events since the previous update.
	Events []Event
	// Err is a failed read or a dropped event stream; the watch goes on.
	Err error
	// Disconnected: the event stream is down and being re-subscribed, or
	// the engine cannot be reached; Snapshot is then the last good read.
	// While disconnected every failed attempt sends an update, about once
	// a second, so a viewer can show for how long.
	Disconnected bool
	// Since is when the disconnection began; zero while connected.
	Since time.Time
}

// DisconnectedText says since when the engine is lost, for a status line:
// "disconnected since 14:03:07 (12s)". The watch retries meanwhile.
func DisconnectedText(since, now time.Time) string {
	if since.IsZero() {
		return "disconnected"
	}
	ago := max(now.Sub(since), 0).Round(time.Second)
	return fmt.Sprintf("disconnected since %s (%s)", since.Local().Format(time.TimeOnly), ago)
}

// Event is a swarm event about one of the stack's services or any node.
// Attributes come from the engine as they are: the UI sanitizes them.
type Event struct {
	Time       time.Time         `json:"time"`
	Type       string            `json:"type"` // service or node
	Action     string            `json:"action"`
	Name       string            `json:"name"` // short service name, or node name
	Attributes map[string]string `json:"attributes,omitempty"`
}

// readTimeout bounds one re-read so a hung engine cannot stall the watch.
const readTimeout = 10 * time.Second

// Watch follows one stack until ctx ends, then closes the channel. The first
// update is the initial read; later ones come only when the snapshot
// changed (by Fingerprint), events arrived, or the connection state
// changed. Swarm events about the stack's services and about nodes trigger
// a re-read; tasks, which have no events, are polled fast while anything is
// converging and slowly when stable. A dropped event stream is re-subscribed
// with backoff, reported meanwhile, and followed by a re-read.
func (e *Engine) Watch(ctx context.Context, stack string, opts WatchOptions) <-chan WatchUpdate {
	w := &watcher{e: e, stack: stack, opts: opts.withDefaults(), out: make(chan WatchUpdate, 1)}
	go w.run(ctx)
	return w.out
}

type watcher struct {
	e     *Engine
	stack string
	opts  WatchOptions
	out   chan WatchUpdate

	// event stream
	msgs      <-chan events.Message
	errs      <-chan error
	cancelSub context.CancelFunc
	down      bool // the stream dropped and is not re-subscribed yet
	backoff   time.Duration

	// lostSince is when the stream dropped or a read failed to reach the
	// engine; zero while connected.
	lostSince time.Time

	// read state
	nodes      []swarm.Node // cached: nodes change only with node events
	nodesStale bool
	last       Snapshot
	lastFP     uint64
	lastErr    error
	sent       bool // something was emitted; the first read always is
	sentDown   bool // the Disconnected value last emitted
	pending    []Event
}

func (w *watcher) run(ctx context.Context) {
	defer close(w.out)
	defer w.unsubscribe()

	poll := time.NewTimer(0) // the first tick reads at once
	debounce := stoppedTimer()
	retry := stoppedTimer()
	defer poll.Stop()
	defer debounce.Stop()
	defer retry.Stop()
	debouncing := false

	w.subscribe(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-w.msgs:
			if ev, ok := w.relevant(m); ok {
				w.pending = append(w.pending, ev)
				if !debouncing {
					debouncing = true
					debounce.Reset(w.opts.Debounce)
				}
			}
			continue
		case err := <-w.errs:
			if ctx.Err() != nil {
				return // the stream ended because the watch did
			}
			w.dropStream(ctx, err)
			retry.Reset(w.backoff)
			continue
		case <-retry.C:
			w.subscribe(ctx)
		case <-debounce.C:
			debouncing = false
		case <-poll.C:
		}
		w.refresh(ctx)
		poll.Reset(w.interval())
	}
}

func stoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

// subscribe opens the swarm event stream: service and node events only
// (scope swarm). Events carry no labels, so the stack is matched by name
// in relevant.
func (w *watcher) subscribe(ctx context.Context) {
	w.unsubscribe()
	sub, cancel := context.WithCancel(ctx)
	f := make(client.Filters).Add("type", string(events.ServiceEventType), string(events.NodeEventType)).Add("scope", "swarm")
	res := w.e.api.Events(sub, client.EventsListOptions{Filters: f})
	w.msgs, w.errs, w.cancelSub = res.Messages, res.Err, cancel
	// Whatever happened while the stream was down is picked up by the
	// re-read that follows; nodes may have changed too.
	w.nodesStale = true
}

func (w *watcher) unsubscribe() {
	if w.cancelSub != nil {
		w.cancelSub()
		w.cancelSub = nil
	}
	w.msgs, w.errs = nil, nil
}

// dropStream reports a broken event stream once and schedules the next
// attempt, doubling the wait each time up to RetryMax. The reads at each
// attempt report the rest of the outage.
func (w *watcher) dropStream(ctx context.Context, err error) {
	w.unsubscribe()
	if w.backoff == 0 {
		w.backoff = w.opts.RetryMin
	} else {
		w.backoff = min(2*w.backoff, w.opts.RetryMax)
	}
	if w.down {
		return
	}
	w.down = true
	w.markLost()
	w.emit(ctx, WatchUpdate{Snapshot: w.last, Err: fmt.Errorf("event stream: %w", err)})
}

// markLost notes when the engine went away, the first time only.
func (w *watcher) markLost() {
	if w.lostSince.IsZero() {
		w.lostSince = time.Now()
	}
}

func (w *watcher) disconnected() bool { return !w.lostSince.IsZero() }

// relevant keeps service events of this stack and all node events (every
// node's state shows in the snapshot); a node event also marks the cached
// node list stale for the re-read it triggers.
func (w *watcher) relevant(m events.Message) (Event, bool) {
	name := m.Actor.Attributes["name"]
	switch m.Type {
	case events.ServiceEventType:
		if !strings.HasPrefix(name, w.stack+"_") {
			return Event{}, false
		}
		name = ShortName(w.stack, name)
	case events.NodeEventType:
		w.nodesStale = true
	default:
		return Event{}, false
	}
	at := time.Unix(0, m.TimeNano)
	if m.TimeNano == 0 {
		at = time.Unix(m.Time, 0)
	}
	return Event{Time: at, Type: string(m.Type), Action: string(m.Action), Name: name, Attributes: m.Actor.Attributes}, true
}

// interval polls fast while any service converges, slowly otherwise, and
// every RetryMax while reads fail, so that a returning engine is seen soon.
func (w *watcher) interval() time.Duration {
	if w.lastErr != nil {
		return min(w.opts.RetryMax, w.opts.SlowPoll)
	}
	for i := range w.last.Services {
		if !w.last.Services[i].Converged {
			return w.opts.FastPoll
		}
	}
	return w.opts.SlowPoll
}

// refresh re-reads the stack and emits when something an operator would
// see changed.
func (w *watcher) refresh(ctx context.Context) {
	snap, err := w.read(ctx)
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		w.readFailed(ctx, err)
		return
	}
	recovered := w.lastErr != nil
	w.lastErr = nil
	if w.msgs != nil {
		// The stream is up and the engine answers: connected again, and
		// the next drop starts its backoff from the beginning.
		w.down, w.backoff, w.lostSince = false, 0, time.Time{}
	}
	fp := snap.Fingerprint()
	if w.sent && fp == w.lastFP && len(w.pending) == 0 && !recovered && w.sentDown == w.disconnected() {
		return
	}
	w.last, w.lastFP = snap, fp
	w.emit(ctx, WatchUpdate{Snapshot: snap, Events: w.pending})
	w.pending = nil
}

// readFailed reports a failed read: each distinct error once, and while
// disconnected every attempt (the outage's clock goes on). A read that
// could not reach the engine is a disconnection even while the event
// stream has not noticed yet.
func (w *watcher) readFailed(ctx context.Context, err error) {
	repeated := w.lastErr != nil && w.lastErr.Error() == err.Error()
	w.lastErr = err
	if EngineLost(err) {
		w.markLost()
	}
	if repeated && !w.disconnected() {
		return
	}
	w.emit(ctx, WatchUpdate{Snapshot: w.last, Err: err})
}

// read is ReadStack with the node list cached between node events: the
// lists are fetched at once, so the UI's first frame waits for the slowest
// one rather than for all three in turn.
func (w *watcher) read(ctx context.Context) (Snapshot, error) {
	ctx, cancel := context.WithTimeout(ctx, readTimeout)
	defer cancel()
	cached := w.nodes
	if w.nodesStale {
		cached = nil
	}
	snap, nodes, err := w.e.readStack(ctx, w.stack, cached)
	if err != nil {
		return Snapshot{}, err
	}
	w.nodes, w.nodesStale = nodes, false
	return snap, nil
}

// emit sends an update stamped with the connection state.
func (w *watcher) emit(ctx context.Context, u WatchUpdate) {
	u.Disconnected, u.Since = w.disconnected(), w.lostSince
	select {
	case w.out <- u:
		w.sent, w.sentDown = true, u.Disconnected
	case <-ctx.Done():
	}
}
