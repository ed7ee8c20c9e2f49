package swarm

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/internal/termsafe"
)

// logSession decides which tasks to read and keeps one reader per task:
// docker's own service logs mix in dead tasks, come out of order and stop
// when a task is replaced, so swarmtop subscribes task by task instead.
type logSession struct {
	engine   *Engine
	api      *client.Client
	stack    string
	opts     LogOptions
	services []string          // service IDs asked for; nil: the whole stack
	names    map[string]string // service ID → short name
	nodes    map[string]string // node ID → hostname
	initial  []swarm.Task      // the task list when the stream started
	// old holds the tasks that were already history (replaced, failed)
	// when the stream started: a follow never reads them (unless AllTasks),
	// while every task that appears later is new and is read.
	old  map[string]bool
	subs map[string]*logSub // task ID → its reader

	wg     sync.WaitGroup
	mu     sync.Mutex
	fatal  error                  // what ended the whole session
	errs   []error                // tasks whose logs could not be read
	lost   bool                   // a follow lost the engine and waits for it
	resume map[string]logResumeAt // task ID → where its reader, cut off by the loss, stops
}

// logResumeAt is where a task's reader was when the engine went away.
type logResumeAt struct {
	last time.Time // the newest line read; zero if none
	tail string    // the reader's tail, for a reader that got no line yet
}

// logSub is one task's reader as the session tracks it.
type logSub struct {
	cancel    context.CancelFunc
	follow    bool
	endedSeen time.Time // when the task was first seen ended or gone
}

// newLogSession resolves the services and reads the task list once, so
// that an unknown service or an unreachable engine fails Logs itself.
func (e *Engine) newLogSession(ctx context.Context, stack string, opts LogOptions) (*logSession, error) {
	s := &logSession{engine: e, api: e.api, stack: stack, opts: opts,
		names: map[string]string{}, nodes: map[string]string{}, old: map[string]bool{}, subs: map[string]*logSub{},
		resume: map[string]logResumeAt{}}
	if err := s.resolveServices(ctx, e); err != nil {
		return nil, err
	}
	tasks, err := s.listTasks(ctx)
	if err != nil {
		return nil, err
	}
	s.noteInitial(tasks)
	return s, nil
}

// noteInitial keeps the task list the session starts from and marks the
// tasks that were already history then: a follow never reads those.
func (s *logSession) noteInitial(tasks []swarm.Task) {
	s.initial = tasks
	for _, t := range tasks {
		if !isCurrent(&t) {
			s.old[t.ID] = true
		}
	}
}

// resolveServices turns the names asked for into service IDs; an empty list
// means the whole stack, which must have at least one service.
func (s *logSession) resolveServices(ctx context.Context, e *Engine) error {
	if len(s.opts.Services) == 0 {
		return s.refreshNames(ctx, true)
	}
	for _, name := range s.opts.Services {
		svc, err := e.FindService(ctx, s.stack, name)
		if err != nil {
			return err
		}
		s.services = append(s.services, svc.ID)
		s.names[svc.ID] = ShortName(s.stack, svc.Spec.Name)
	}
	return nil
}

// refreshNames reads the stack's service names (a follow of the whole stack
// picks up services deployed later).
func (s *logSession) refreshNames(ctx context.Context, mustExist bool) error {
	res, err := s.api.ServiceList(ctx, client.ServiceListOptions{Filters: stackFilter(s.stack)})
	if err != nil {
		return err
	}
	if mustExist && len(res.Items) == 0 {
		return &ServiceNotFoundError{Stack: s.stack}
	}
	for _, svc := range res.Items {
		s.names[svc.ID] = ShortName(s.stack, svc.Spec.Name)
	}
	return nil
}

func (s *logSession) listTasks(ctx context.Context) ([]swarm.Task, error) {
	f := stackFilter(s.stack)
	if s.services != nil {
		f = make(client.Filters).Add("service", s.services...)
	}
	// A follow lists the tasks every second: the read path's slim decoding
	// (decodeTasks) holds every field the session reads.
	tasks, err := s.engine.listTasks(ctx, f)
	if err != nil {
		return nil, err
	}
	return tasks, s.resolveNames(ctx, tasks)
}

// resolveNames makes sure every task's service and node has a name.
func (s *logSession) resolveNames(ctx context.Context, tasks []swarm.Task) error {
	var needServices, needNodes bool
	for _, t := range tasks {
		_, known := s.names[t.ServiceID]
		needServices = needServices || !known
		_, known = s.nodes[t.NodeID]
		needNodes = needNodes || (t.NodeID != "" && !known)
	}
	if needServices && s.services == nil {
		if err := s.refreshNames(ctx, false); err != nil {
			return err
		}
	}
	if needNodes {
		res, err := s.api.NodeList(ctx, client.NodeListOptions{})
		if err != nil {
			return err
		}
		for _, n := range res.Items {
			s.nodes[n.ID] = n.Description.Hostname
		}
	}
	return nil
}

// launch starts the session in its own goroutine; wait waits for it.
func (s *logSession) launch(ctx context.Context, m *logMerger) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.run(ctx, m)
	}()
}

// run starts the readers and, when following, keeps the set of readers in
// step with the task list until ctx ends.
func (s *logSession) run(ctx context.Context, m *logMerger) {
	defer m.closeInput()
	for _, t := range s.initial {
		if s.wanted(t, true) {
			s.start(ctx, m, t, logResumeAt{tail: logTail(s.opts.Tail)})
		}
	}
	if !s.opts.Follow {
		return
	}
	if err := s.poll(ctx, m); err != nil && ctx.Err() == nil {
		s.mu.Lock()
		s.fatal = err
		s.mu.Unlock()
	}
	for _, sub := range s.subs {
		sub.cancel()
	}
}

// logPollFailures is how many task list failures in a row end a follow.
// Failures to reach the engine do not count: a follow waits for the
// engine as long as its reader wants.
const logPollFailures = 5

// poll follows the task list: new tasks get a reader, readers of tasks that
// ended are stopped once their last lines had time to arrive, and readers
// cut off by a lost engine resume once it answers again.
func (s *logSession) poll(ctx context.Context, m *logMerger) error {
	tick := time.NewTicker(logPollInterval)
	defer tick.Stop()
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		tasks, err := s.listTasks(ctx)
		switch {
		case EngineLost(err):
			s.lose(ctx, m, err)
			continue
		case err != nil:
			if failures++; failures >= logPollFailures {
				return fmt.Errorf("following logs: %w", err)
			}
			continue
		}
		failures = 0
		s.reconnected(ctx, m, tasks)
		s.update(ctx, m, tasks, time.Now())
	}
}

// update starts readers for new tasks and stops those of ended tasks.
func (s *logSession) update(ctx context.Context, m *logMerger, tasks []swarm.Task, now time.Time) {
	byID := make(map[string]swarm.Task, len(tasks))
	for _, t := range tasks {
		byID[t.ID] = t
		if _, started := s.subs[t.ID]; !started && s.wanted(t, false) {
			s.start(ctx, m, t, logResumeAt{tail: "all"}) // new since the stream started: all of it is news
		}
	}
	for id, sub := range s.subs {
		t, present := byID[id]
		switch {
		case !sub.follow && !present:
			delete(s.subs, id) // out of the task history: it cannot come back
		case sub.follow && (!present || ended(t.Status.State)):
			s.stopAfterGrace(sub, now)
		}
	}
}

// stopAfterGrace ends the reader of a task that has ended. A follow
// subscription does not end by itself when its task does, so the session
// ends it, after a grace for the last lines (a drain's goodbye).
func (s *logSession) stopAfterGrace(sub *logSub, now time.Time) {
	if sub.endedSeen.IsZero() {
		sub.endedSeen = now
	}
	if now.Sub(sub.endedSeen) >= logEndGrace {
		sub.cancel()
		sub.follow = false
	}
}

// wanted says whether to read a task. Only tasks with a container have
// logs. At the start, the current tasks are read (all with AllTasks); later
// every task that was not already dead at the start is, even one that died
// between two polls: that is a crash loop's output.
func (s *logSession) wanted(t swarm.Task, atStart bool) bool {
	if t.Status.ContainerStatus == nil || t.Status.ContainerStatus.ContainerID == "" {
		return false
	}
	if s.opts.AllTasks {
		return true
	}
	if atStart {
		return isCurrent(&t) // the read model's rule: a replacement waiting out its restart delay (ready) is current
	}
	return !s.old[t.ID]
}

// logTail is the engine's spelling of a tail count.
func logTail(n int) string {
	if n < 0 {
		return "all"
	}
	return strconv.Itoa(n)
}

// start runs a reader for one task, from its tail, or after the last line
// read when it resumes. A task that has already ended is read without
// follow: its log is complete and the engine ends that stream.
func (s *logSession) start(ctx context.Context, m *logMerger, t swarm.Task, at logResumeAt) {
	ctx, cancel := context.WithCancel(ctx)
	follow := s.opts.Follow && !ended(t.Status.State)
	s.subs[t.ID] = &logSub{cancel: cancel, follow: follow}
	task := s.taskInfo(t)
	src := m.add()
	opts := client.TaskLogsOptions{ShowStdout: true, ShowStderr: true, Timestamps: true, Follow: follow, Tail: at.tail}
	since := s.opts.Since
	if !at.last.IsZero() {
		// The engine's since is inclusive and lines carry nanoseconds: one
		// more nanosecond skips exactly the line already shown.
		since, opts.Tail = at.last.Add(time.Nanosecond), "all"
	}
	if !since.IsZero() {
		opts.Since = fmt.Sprintf("%d.%09d", since.Unix(), since.Nanosecond())
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer cancel()
		s.read(ctx, task, src, opts, at)
	}()
}

func (s *logSession) taskInfo(t swarm.Task) logTask {
	tty := t.Spec.ContainerSpec != nil && t.Spec.ContainerSpec.TTY
	node := s.nodes[t.NodeID]
	if node == "" && len(t.NodeID) >= 12 {
		node = t.NodeID[:12] // a node removed since
	}
	// Names are cleaned too: a node's hostname is whatever that machine says.
	return logTask{id: t.ID, service: termsafe.Clean(s.names[t.ServiceID]), slot: t.Slot,
		node: termsafe.Clean(node), tty: tty}
}

// read copies one task's log into its merge source. A failure is reported
// in the stream as a Note line and kept for Err; a task removed meanwhile
// is not a failure, and a follow that lost the engine resumes later.
func (s *logSession) read(ctx context.Context, t logTask, src *logSource, opts client.TaskLogsOptions, at logResumeAt) {
	defer src.close()
	emit := func(l LogLine) error {
		if l.Time.After(at.last) {
			at.last = l.Time
		}
		return src.send(ctx, l)
	}
	err := readTaskLogs(ctx, s.api, t, opts, emit)
	if err == nil || ctx.Err() != nil || cerrdefs.IsNotFound(err) {
		return
	}
	if opts.Follow && EngineLost(err) {
		s.mu.Lock()
		s.resume[t.id] = at
		s.mu.Unlock()
		s.lose(ctx, src.m, err)
		return
	}
	line := t.line(time.Now(), true, "swarmtop: cannot read this task's logs: "+err.Error())
	line.Note = true
	_ = emit(line)
	s.mu.Lock()
	s.errs = append(s.errs, fmt.Errorf("logs of %s: %w", line.Prefix(), err))
	s.mu.Unlock()
}

// wait returns once the session and all its readers have stopped.
func (s *logSession) wait() { s.wg.Wait() }

// err is what ended the session, then every task that failed.
func (s *logSession) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(append([]error{s.fatal}, s.errs...)...)
}
