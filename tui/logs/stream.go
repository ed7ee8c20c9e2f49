package logs

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
)

// openedMsg is the result of opening a stream.
type openedMsg struct {
	gen    int
	stream Stream
	err    error
}

// linesMsg is one batch of lines; done when the stream has ended.
type linesMsg struct {
	gen   int
	lines []swarm.LogLine
	done  bool
	err   error
}

// logOptions are the options of the next subscription. The view always
// follows: pausing only stops the scrolling.
func (m *Model) logOptions() swarm.LogOptions {
	opts := swarm.LogOptions{
		Services: m.services, Follow: true,
		Tail: tailPresets[m.tailIdx],
	}
	if d := sincePresets[m.sinceIdx]; d > 0 {
		opts.Since = m.now().Add(-d)
	}
	return opts
}

// retryMsg asks to reopen a stream that ended because the engine went away.
type retryMsg struct{ gen int }

// retryDelay is the wait before reopening a stream that lost the engine:
// short, so the lines are back within about a second of the engine.
const retryDelay = time.Second

// subscribe (re)opens the stream with the current options. The buffer is
// emptied: the new history would otherwise repeat lines already held.
func (m *Model) subscribe() tea.Cmd {
	m.clearLines()
	return m.open(m.logOptions())
}

// resume reopens a stream that lost the engine, keeping the lines held:
// the new one starts after the newest line, so nothing shows twice.
// (While it is open a stream rides out a lost engine by itself; this is
// for one that could not be opened, or gave up.)
func (m *Model) resume() tea.Cmd {
	opts := m.logOptions()
	if !m.lastLine.IsZero() {
		opts.Since, opts.Tail = m.lastLine.Add(time.Nanosecond), -1
	}
	return m.open(opts)
}

// open replaces the subscription with one of the given options.
func (m *Model) open(opts swarm.LogOptions) tea.Cmd {
	closeOld := m.stop()
	m.gen++
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.state, m.err, m.lost = cancel, connecting, nil, false

	be, stack, gen := m.be, m.stack, m.gen
	open := func() tea.Msg {
		s, err := be.Logs(ctx, stack, opts)
		return openedMsg{gen: gen, stream: s, err: err}
	}
	return tea.Batch(closeOld, m.tag(open))
}

// stop cancels the current subscription and returns a command that waits
// for its stream to close (nil if there is none).
func (m *Model) stop() tea.Cmd {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	s := m.stream
	m.stream = nil
	if s == nil {
		return nil
	}
	return func() tea.Msg { s.Close(); return nil }
}

func (m *Model) opened(msg openedMsg) tea.Cmd {
	if msg.gen != m.gen {
		if msg.stream != nil { // opened after it was no longer wanted
			s := msg.stream
			return func() tea.Msg { s.Close(); return nil }
		}
		return nil
	}
	if msg.err != nil {
		m.end(msg.err)
		return m.retryLater(msg.err)
	}
	m.stream, m.state = msg.stream, streaming
	return m.tag(readBatch(m.gen, msg.stream))
}

func (m *Model) received(msg linesMsg) tea.Cmd {
	if msg.gen != m.gen {
		return nil
	}
	m.addLines(msg.lines)
	if msg.done {
		m.end(msg.err)
		return m.retryLater(msg.err)
	}
	return m.tag(readBatch(m.gen, m.stream))
}

// end records that the stream is over, and why.
func (m *Model) end(err error) {
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	m.state, m.err, m.stream = ended, err, nil
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
}

// retryLater reopens, after retryDelay, a stream that ended because the
// engine could not be reached; any other end waits for r.
func (m *Model) retryLater(err error) tea.Cmd {
	if !swarm.EngineLost(err) {
		return nil
	}
	m.lost, m.lostSince = true, cmpOr(m.lostSince, m.now())
	gen := m.gen
	return m.tag(tea.Tick(retryDelay, func(time.Time) tea.Msg { return retryMsg{gen: gen} }))
}

// retry reopens the stream if nothing replaced it meanwhile.
func (m *Model) retry(msg retryMsg) tea.Cmd {
	if msg.gen != m.gen || m.state != ended {
		return nil
	}
	since := m.lostSince
	cmd := m.resume()
	m.lost, m.lostSince = true, since // still lost until lines or a LinkBack say otherwise
	return cmd
}

func cmpOr(t, otherwise time.Time) time.Time {
	if t.IsZero() {
		return otherwise
	}
	return t
}

// readBatch waits for a line, then gathers more until batchMax lines or
// batchWindow has passed. It reads only the stream it was given, never the
// model, since it runs on another goroutine.
func readBatch(gen int, s Stream) tea.Cmd {
	return func() tea.Msg {
		ch := s.Lines()
		first, ok := <-ch
		if !ok {
			return linesMsg{gen: gen, done: true, err: s.Err()}
		}
		batch := append(make([]swarm.LogLine, 0, 64), first)
		timer := time.NewTimer(batchWindow)
		defer timer.Stop()
		for len(batch) < batchMax {
			select {
			case l, ok := <-ch:
				if !ok {
					return linesMsg{gen: gen, lines: batch, done: true, err: s.Err()}
				}
				batch = append(batch, l)
			case <-timer.C:
				return linesMsg{gen: gen, lines: batch}
			}
		}
		return linesMsg{gen: gen, lines: batch}
	}
}
