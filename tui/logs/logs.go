// Package logs is the logs view: one service, several, or a whole stack,
// merged in time order, followed live, filtered and searched, with a
// bounded buffer so an incident's firehose cannot eat memory or keys.
package logs

import (
	"context"
	"fmt"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
)

// Stream is what the view reads: *swarm.LogStream satisfies it, and a test
// can feed lines through a channel of its own.
type Stream interface {
	Lines() <-chan swarm.LogLine
	Err() error
	Close()
}

// Backend opens log streams. Use Engine to adapt a *swarm.Engine.
type Backend interface {
	Logs(ctx context.Context, stack string, opts swarm.LogOptions) (Stream, error)
}

// EngineLogs is the method of *swarm.Engine the view needs.
type EngineLogs interface {
	Logs(ctx context.Context, stack string, opts swarm.LogOptions) (*swarm.LogStream, error)
}

// Engine adapts the engine (whose Logs returns the concrete stream) to
// Backend.
func Engine(e EngineLogs) Backend { return engineBackend{e} }

type engineBackend struct{ e EngineLogs }

func (b engineBackend) Logs(ctx context.Context, stack string, opts swarm.LogOptions) (Stream, error) {
	s, err := b.e.Logs(ctx, stack, opts)
	if err != nil {
		return nil, err // not s: a nil *LogStream in a Stream is not nil
	}
	return s, nil
}

// Presets cycled by the t and s keys. Tail counts per task, as docker does.
var (
	tailPresets  = []int{100, 1000, -1}
	sincePresets = []time.Duration{0, time.Minute, 10 * time.Minute, time.Hour}
)

// Reading: one message carries up to batchMax lines or what arrived within
// batchWindow of the first, so a service writing 10,000 lines a second
// costs about 20 messages a second, not 10,000, and keys stay responsive.
const (
	batchMax    = 1000
	batchWindow = 50 * time.Millisecond
)

type streamState int

const (
	connecting streamState = iota
	streaming
	ended
)

// Model is the logs view. Use it through a pointer; the root must call
// Close when it drops the view, to end the stream.
type Model struct {
	common   *common.Common
	be       Backend
	stack    string
	services []string
	id       common.ViewID
	keys     KeyMap

	width, height int

	// The subscription. gen numbers each one, so lines of a stream that
	// was replaced (options changed) are recognised and dropped.
	gen      int
	cancel   context.CancelFunc
	stream   Stream
	state    streamState
	err      error
	tailIdx  int
	sinceIdx int
	// The engine connection: lost since lostSince (the stream retries by
	// itself, or the view reopens it); lastLine is the newest line's time.
	lost      bool
	lostSince time.Time
	lastLine  time.Time

	buf   *ring
	shown seqList // lines on display: selected source, and the filter unless showing all
	hits  seqList // lines of the selected source that match the filter

	follow   bool
	top      uint64 // when paused: the line at the top of the screen
	pausedAt uint64 // when paused: the first line that arrived after
	match    uint64 // the current match of n/N
	hasMatch bool

	timestamps, wrap bool
	filter           filter
	showAll          bool // show non-matching lines too, matches highlighted
	typing           bool
	prevFilter       filter
	input            textinput.Model

	source      source
	sources     map[string]map[string]bool // service → its task prefixes
	prefixWidth int

	notice     string // one-off news: file saved, bad regexp
	noticeErr  bool
	now        func() time.Time
	saveDir    string
	bufferSize int
}

// source is the service or task whose lines are shown; zero is all.
type source struct{ service, prefix string }

// New returns a logs view of the stack's services; no services means the
// whole stack. Nothing is read until Init.
func New(c *common.Common, be Backend, stack string, services []string) *Model {
	m := &Model{
		common: c, be: be, stack: stack, services: services,
		keys: DefaultKeyMap(), follow: true,
		sources: map[string]map[string]bool{},
		now:     time.Now, saveDir: ".", bufferSize: DefaultBufferSize,
	}
	m.id = common.ViewID(fmt.Sprintf("logs:%s:%p", stack, m))
	m.buf = newRing(m.bufferSize)
	for _, s := range services {
		m.sources[s] = map[string]bool{}
	}
	m.input = textinput.New()
	m.input.Prompt = "filter: "
	m.input.Placeholder = "text, or /regexp/"
	return m
}

// SetBufferSize changes how many lines are kept (before Init).
func (m *Model) SetBufferSize(n int) {
	m.bufferSize = max(n, 1)
	m.buf = newRing(m.bufferSize)
}

// SetSaveDir changes where ctrl+s writes (default: the working directory).
func (m *Model) SetSaveDir(dir string) { m.saveDir = dir }

// SetClock replaces time.Now, for tests and golden files.
func (m *Model) SetClock(now func() time.Time) { m.now = now }

// ID is the view's identity; its asynchronous results come back as
// common.Tagged with this ID.
func (m *Model) ID() common.ViewID { return m.id }

// Capturing reports whether keys go to the filter input, so the root does
// not act on them (q, esc) itself.
func (m *Model) Capturing() bool { return m.typing }

// HandleBack clears an applied filter before esc leaves the view, as the
// tables do: the root asks before it closes the view.
func (m *Model) HandleBack() bool {
	if !m.filter.active() {
		return false
	}
	m.setFilter(filter{})
	return true
}

// Init opens the stream. The view shows at once; lines come when they come.
func (m *Model) Init() tea.Cmd { return m.subscribe() }

// Close ends the stream. The view can be reopened with Init.
func (m *Model) Close() tea.Cmd {
	m.gen++         // whatever is in flight is now stale
	return m.stop() // waits for the stream's goroutines, as a command
}

// SetSize gives the view its area.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.input.SetWidth(max(width/2, 1)) // room on the right for a bad-regexp note
}

// Update handles the view's own results and keys.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	if t, ok := msg.(common.Tagged); ok {
		if t.View != m.id {
			return m, nil
		}
		msg = t.Msg
	}
	switch msg := msg.(type) {
	case openedMsg:
		return m, m.opened(msg)
	case linesMsg:
		return m, m.received(msg)
	case retryMsg:
		return m, m.retry(msg)
	case savedMsg:
		m.saved(msg)
		return m, nil
	case tea.KeyPressMsg:
		if m.typing {
			return m, m.typeFilter(msg)
		}
		return m, m.handleKey(msg)
	}
	if m.typing { // cursor blinks
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return m, cmd
	}
	return m, nil
}

// tag routes a command's result back to this view.
func (m *Model) tag(cmd tea.Cmd) tea.Cmd { return common.Tag(m.id, cmd) }
