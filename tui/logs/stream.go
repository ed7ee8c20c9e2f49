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
		Tail: tailPresets[m.tailIdx], Timestamps: m.timestamps,
	}
	if d := sincePresets[m.sinceIdx]; d > 0 {
		opts.Since = m.now().Add(-d)
	}
	return opts
}

// subscribe (re)opens the stream with the current options. The buffer is
// emptied: the new history would otherwise repeat lines already held.
func (m *Model) subscribe() tea.Cmd {
	closeOld := m.stop()
	m.gen++
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.state, m.err = cancel, connecting, nil
	m.clearLines()

	be, stack, opts, gen := m.be, m.stack, m.logOptions(), m.gen
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
		return nil
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
		return nil
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
