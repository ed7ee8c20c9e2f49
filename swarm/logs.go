package swarm

import (
	"context"
	"strconv"
	"sync/atomic"
	"time"
)

// LogOptions says whose logs to read and how much of them.
type LogOptions struct {
	// Services are short (web) or full (shop_web) names; empty means every
	// service of the stack, including services created while following.
	Services []string
	// Follow keeps the stream open: new lines keep coming, and the tasks
	// that replace a task (update, restart, crash) are picked up as they start.
	Follow bool
	// Tail is how many lines to show from the end of each task's log; -1
	// shows all. It counts per task, as docker does, but only over the tasks
	// shown: with --tail 5, three running replicas give up to 15 lines, merged
	// in time order, and tasks that already ended add nothing (unless
	// AllTasks). Tasks that start while following are shown from their start.
	Tail int
	// Since drops lines older than this time; zero keeps everything.
	Since time.Time
	// AllTasks includes tasks that have ended (kept in the task history:
	// replaced, failed, shut down). By default only current tasks are read,
	// which keeps dead tasks out of --tail.
	AllTasks bool
}

// LogLine is one line of one task's output.
type LogLine struct {
	Time    time.Time // when the engine received the line
	Service string    // short name: web
	Slot    int       // replica slot; 0 for global services
	Node    string    // hostname of the node the task runs on
	TaskID  string
	Stderr  bool
	// Text is the line without its newline, already passed through
	// termsafe.Clean: safe to print. Lines longer than 16 KiB are cut, and
	// the cut is said at the end of the text.
	Text string
	// Note marks a line written by swarmtop, not by the container: a task
	// whose logs could not be read says so in its place in the stream.
	Note bool
	// Link marks the Notes of a follow about the connection to the engine,
	// so that a viewer can show the state as well as the line. Such Notes
	// come from service "swarmtop".
	Link LinkChange
}

// LinkChange is a change of a follow's connection to the engine.
type LinkChange int

const (
	// LinkLost: the engine went away. The follow retries every second and
	// resumes each task where its last line was, so no line is missed or
	// repeated.
	LinkLost LinkChange = iota + 1
	// LinkBack: the engine answers again and the lines resume.
	LinkBack
)

// Prefix names where the line came from: web.2@node-1, or web@node-1 for a
// global service's task.
func (l LogLine) Prefix() string {
	p := l.Service
	if l.Slot > 0 {
		p += "." + strconv.Itoa(l.Slot)
	}
	if l.Node != "" {
		p += "@" + l.Node
	}
	return p
}

// LogStream delivers log lines of several tasks merged in time order.
//
// A line goes out at once when every task has a line waiting (nothing older
// can come); otherwise it waits for the other tasks for a short window
// (150 ms when following, 1 s for history), so that a line that arrives a
// little late from another task still goes out in its place. Lines are
// never reordered within one task.
//
// Memory is bounded: each task reader, the merge and the output have
// bounded buffers. A consumer slower than the logs applies backpressure: the
// readers stop reading, and the engine waits for them. No line is dropped;
// a consumer that must never fall behind (a TUI) should drain Lines into its
// own capped buffer.
type LogStream struct {
	lines   chan LogLine
	cancel  context.CancelFunc
	done    chan struct{}
	err     error
	closing atomic.Bool
}

// Lines delivers the lines; it is closed when the stream ends: at the end
// of the history without Follow, or on Close or when the context ends.
func (s *LogStream) Lines() <-chan LogLine { return s.lines }

// Err returns why the stream ended, once Lines is closed (nil before). It
// is nil after Close, the context's error when the caller's context ended,
// and otherwise the failures met: the engine stopped answering, or some
// task's logs could not be read (those tasks also get a Note line).
func (s *LogStream) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Close stops the stream and waits until its goroutines are gone. It is
// safe to call more than once and while another goroutine reads Lines.
func (s *LogStream) Close() {
	s.closing.Store(true)
	s.cancel()
	<-s.done
}

// Logs reads the logs of a stack's services, one subscription per task,
// merged in time order and cleaned for the terminal. An unknown service
// name is a *ServiceNotFoundError.
func (e *Engine) Logs(ctx context.Context, stack string, opts LogOptions) (*LogStream, error) {
	sess, err := e.newLogSession(ctx, stack, opts)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &LogStream{lines: make(chan LogLine, logOutputBuffer), cancel: cancel, done: make(chan struct{})}
	window := logHistoryWindow
	if opts.Follow {
		window = logMergeWindow
	}
	m := newLogMerger(s.lines, window)
	readers, stopReaders := context.WithCancel(ctx)
	sess.launch(readers, m)
	go func() {
		m.run(ctx)
		stopReaders()
		sess.wait()
		s.err = s.endError(ctx, sess.err())
		cancel()
		close(s.done)
		close(s.lines)
	}()
	return s, nil
}

// endError is what Err reports once everything has stopped.
func (s *LogStream) endError(ctx context.Context, err error) error {
	switch {
	case s.closing.Load():
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return err
}

// Buffer sizes and timings of a log stream.
const (
	logOutputBuffer = 256                    // lines waiting for the consumer
	logMergeWindow  = 150 * time.Millisecond // how long a line waits for older lines of other tasks
	// logHistoryWindow is longer: without Follow a task's history may start
	// to arrive a while after another's (a remote node), and latency does
	// not matter.
	logHistoryWindow = time.Second
	logPollInterval  = time.Second     // how often a follow looks for new and ended tasks
	logEndGrace      = 2 * time.Second // how long an ended task's stream may still deliver
)
