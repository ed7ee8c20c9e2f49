// Package nodes is the nodes view: every node of the swarm, re-read every
// few seconds.
package nodes

import (
	"context"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/internal/termsafe"
	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/dialog"
	"github.com/swarmtop/swarmtop/tui/keys"
	"github.com/swarmtop/swarmtop/tui/ops"
	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/table"
)

// Interval between reads: nodes change rarely.
const Interval = 5 * time.Second

// Lister is what the view needs; *swarm.Engine satisfies it.
type Lister interface {
	Nodes(ctx context.Context) ([]swarm.Node, error)
}

type loaded struct {
	nodes []swarm.Node
	err   error
}

// refreshed is a read asked for outside the timer (after a node op); it
// does not arm another timer, so the reads stay one every Interval.
type refreshed loaded

type tick struct{}

// Model is the nodes view.
type Model struct {
	c      *common.Common
	id     common.ViewID
	be     Lister
	ctx    context.Context
	cancel context.CancelFunc
	table  table.Model
	nodes  []swarm.Node
	ready  bool
	err    string
	nav    keys.Nav
	acts   actionKeys
	width  int
	height int
}

// New builds the view; it reads in Init.
func New(ctx context.Context, c *common.Common, id common.ViewID, be Lister) *Model {
	ctx, cancel := context.WithCancel(ctx)
	m := &Model{c: c, id: id, be: be, ctx: ctx, cancel: cancel, table: table.New(c, render.NodeHeader()),
		nav: keys.NewNav(), acts: newActionKeys(c.ReadOnly)}
	m.table.SetEmpty("reading nodes…")
	return m
}

func (m *Model) Title() string    { return "nodes" }
func (m *Model) Close()           { m.cancel() }
func (m *Model) Capturing() bool  { return m.table.Filtering() }
func (m *Model) HandleBack() bool { return m.table.ClearFilter() }
func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.nav.Up, m.nav.Down, m.acts.Drain, m.acts.Pause, m.acts.Activate, m.nav.Filter}
}
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{m.nav.Bindings(), m.acts.bindings()}
}
func (m *Model) Init() tea.Cmd { return m.read() }

// Refresh reads the nodes now: a node op changed one.
func (m *Model) Refresh() tea.Cmd {
	ctx, be := m.ctx, m.be
	return common.Tag(m.id, func() tea.Msg {
		nodes, err := be.Nodes(ctx)
		return refreshed{nodes, err}
	})
}

// read lists the nodes; the context and backend are captured here.
func (m *Model) read() tea.Cmd {
	ctx, be := m.ctx, m.be
	return common.Tag(m.id, func() tea.Msg {
		nodes, err := be.Nodes(ctx)
		return loaded{nodes, err}
	})
}

// Update handles reads, the timer, keys and the mouse.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case loaded:
		m.onLoaded(msg)
		return m, common.Tag(m.id, tea.Tick(Interval, func(time.Time) tea.Msg { return tick{} }))
	case refreshed:
		m.onLoaded(loaded(msg))
		return m, nil
	case tick:
		if m.ctx.Err() != nil {
			return m, nil
		}
		return m, m.read()
	case tea.MouseClickMsg:
		m.table.Click(msg.Mouse().Y)
	case tea.KeyPressMsg:
		if kind, ok := m.acts.match(msg); ok && !m.table.Filtering() { // a filter types p and a
			return m, m.ask(kind)
		}
		_, cmd := m.table.Update(msg)
		return m, cmd
	case tea.MouseWheelMsg:
		_, cmd := m.table.Update(msg)
		return m, cmd
	}
	return m, nil
}

// ask opens the confirmation of a node op on the selected node.
func (m *Model) ask(kind ops.Kind) tea.Cmd {
	i := m.table.Selected()
	if i < 0 || i >= len(m.nodes) {
		return nil
	}
	return dialog.ForNode(m.c, kind, m.nodes, m.nodes[i])
}

func (m *Model) onLoaded(msg loaded) {
	if msg.err != nil {
		m.err = termsafe.Clean(msg.err.Error())
		return
	}
	m.err, m.ready, m.nodes = "", true, msg.nodes
	rows := make([]render.Row, len(msg.nodes))
	for i, n := range msg.nodes {
		rows[i] = render.NodeRow(n)
	}
	m.table.SetEmpty("no nodes")
	m.table.SetRows(rows)
}

func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.table.SetSize(w, max(h-1, 1))
}

// View renders the table and a line of totals or the last error.
func (m *Model) View() string {
	s := m.c.Styles
	foot := s.Muted.Render(table.Pad(totals(m.nodes), m.width))
	if m.err != "" {
		foot = s.Danger.Render(table.Pad("! "+m.err, m.width))
	}
	return strings.Join([]string{m.table.View(), foot}, "\n")
}

func totals(nodes []swarm.Node) string {
	managers, ready, active := 0, 0, 0
	for _, n := range nodes {
		if n.Role == "manager" {
			managers++
		}
		if n.Status == "ready" {
			ready++
		}
		if n.Availability == "active" {
			active++
		}
	}
	return itoa(len(nodes)) + " nodes · " + itoa(managers) + " managers · " + itoa(ready) + " ready · " + itoa(active) + " active"
}

func itoa(n int) string { return strconv.Itoa(n) }
