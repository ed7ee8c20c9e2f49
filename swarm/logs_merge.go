package swarm

import (
	"context"
	"sync"
	"time"
)

// Merge limits. A source's channel is small; the merge itself holds up to
// logMergeHeld bytes of lines, enough for about 40,000 typical lines, which
// is what lets one chatty task flow while the merge waits on a quiet one.
const (
	logSourceBuffer = 64
	logMergeHeld    = 8 << 20
	logLineOverhead = 128 // bytes counted per line besides its text
)

// logMerger merges the lines of several sources (one per task) into one
// channel in time order. Each source is in order by itself, so the merge
// emits the oldest head line at once when every open source has a line
// waiting; otherwise it waits up to its window for the others, then emits
// anyway, so a quiet task cannot hold the stream up.
type logMerger struct {
	out    chan<- LogLine
	window time.Duration
	wake   chan struct{} // a source has news; capacity 1, never blocks a sender

	mu       sync.Mutex
	added    []*logSource // added by the session, not yet taken in by run
	inputEnd bool         // no more sources will be added

	sources []*logSource // owned by run
	held    int          // bytes of lines in sources' queues
}

// logSource is one task's lines on their way into the merge.
type logSource struct {
	m     *logMerger
	ch    chan heldLine
	queue []heldLine // owned by run: lines taken from ch, oldest first
	ended bool       // ch is closed and drained into queue
}

// heldLine is a line and when the merge took it in. The window counts from
// then, not from when the reader got it: lines that queued up while the
// consumer was slow must still wait for their peers when it catches up.
type heldLine struct {
	line    LogLine
	arrived time.Time
}

func newLogMerger(out chan<- LogLine, window time.Duration) *logMerger {
	return &logMerger{out: out, window: window, wake: make(chan struct{}, 1)}
}

// add registers a new source. Its lines cannot overtake older lines of the
// other sources, however late it starts.
func (m *logMerger) add() *logSource {
	src := &logSource{m: m, ch: make(chan heldLine, logSourceBuffer)}
	m.mu.Lock()
	m.added = append(m.added, src)
	m.mu.Unlock()
	m.poke()
	return src
}

// closeInput says no source will be added: run returns once the sources
// have ended and everything is emitted.
func (m *logMerger) closeInput() {
	m.mu.Lock()
	m.inputEnd = true
	m.mu.Unlock()
	m.poke()
}

func (m *logMerger) poke() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// send hands a line to the merge, waiting while the source is full: that
// is the backpressure on a reader when the consumer is slow.
func (s *logSource) send(ctx context.Context, l LogLine) error {
	select {
	case s.ch <- heldLine{line: l}:
		s.m.poke()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close ends the source; lines already sent are still emitted.
func (s *logSource) close() {
	close(s.ch)
	s.m.poke()
}

// run merges until every source has ended and no more can come, or ctx ends.
func (m *logMerger) run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait, ok := m.emitReady(ctx)
		if !ok || m.finished() {
			return
		}
		var due <-chan time.Time
		if wait > 0 {
			timer.Reset(wait)
			due = timer.C
		}
		select {
		case <-m.wake:
		case <-due:
		case <-ctx.Done():
			return
		}
	}
}

// emitReady emits every line that may go now. It returns how long until
// the next held line is due (0: nothing held), and false when ctx ended.
func (m *logMerger) emitReady(ctx context.Context) (time.Duration, bool) {
	for {
		m.pull()
		src, wait := m.next(time.Now())
		if src == nil {
			return wait, true
		}
		h := src.queue[0]
		select {
		case m.out <- h.line:
		case <-ctx.Done():
			return 0, false
		}
		src.queue[0] = heldLine{}
		src.queue = src.queue[1:]
		m.held -= logLineSize(h.line)
	}
}

// pull takes in new sources and moves lines from the sources' channels into
// their queues, as long as the merge holds less than logMergeHeld (plus one
// head line per source).
func (m *logMerger) pull() {
	m.mu.Lock()
	m.sources = append(m.sources, m.added...)
	m.added = nil
	m.mu.Unlock()
	now := time.Now()
	kept := m.sources[:0]
	for _, s := range m.sources {
		m.pullSource(s, now)
		if !s.ended || len(s.queue) > 0 {
			kept = append(kept, s)
		}
	}
	clear(m.sources[len(kept):])
	m.sources = kept
}

func (m *logMerger) pullSource(s *logSource, now time.Time) {
	// Past the limit a source still gets its head line, so that a merge
	// forced by the limit still picks the oldest line there is.
	for !s.ended && (len(s.queue) == 0 || m.held < logMergeHeld) {
		select {
		case h, open := <-s.ch:
			if !open {
				s.ended = true
				return
			}
			h.arrived = now
			s.queue = append(s.queue, h)
			m.held += logLineSize(h.line)
		default:
			return
		}
	}
}

// next picks the source whose head line goes out now: the oldest head, if
// every open source has a line waiting (nothing older can come) or the
// longest-held line has waited its window. Otherwise it says how long until
// that window is over.
func (m *logMerger) next(now time.Time) (*logSource, time.Duration) {
	var oldest *logSource
	var firstArrival time.Time
	complete := true
	for _, s := range m.sources {
		if len(s.queue) == 0 {
			complete = complete && s.ended
			continue
		}
		h := s.queue[0]
		if oldest == nil || h.line.Time.Before(oldest.queue[0].line.Time) {
			oldest = s
		}
		if firstArrival.IsZero() || h.arrived.Before(firstArrival) {
			firstArrival = h.arrived
		}
	}
	if oldest == nil {
		return nil, 0
	}
	due := firstArrival.Add(m.window)
	if complete || m.held >= logMergeHeld || !now.Before(due) {
		return oldest, 0
	}
	return nil, due.Sub(now)
}

// finished: no source can be added and every source has ended and is empty.
func (m *logMerger) finished() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.inputEnd && len(m.added) == 0 && len(m.sources) == 0
}

func logLineSize(l LogLine) int { return len(l.Text) + logLineOverhead }
