// Package stacks lists the stacks on the swarm; enter opens one.
package stacks

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/internal/termsafe"
	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/keys"
	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/table"
)

// Interval between reads.
const Interval = 3 * time.Second

// Lister is what the view needs; *swarm.Engine satisfies it.
type Lister interface {
	Stacks(ctx context.Context) ([]swarm.StackSummary, error)
}

type loaded struct {
	stacks []swarm.StackSummary
	err    error
}

type tick struct{}

// Model is the stacks view.
type Model struct {
	c      *common.Common
	id     common.ViewID
	be     Lister
	ctx    context.Context
	cancel context.CancelFunc
	table  table.Model
	stacks []swarm.StackSummary
	err    string
	open   key.Binding
	nav    keys.Nav
	width  int
	height int
}

// New builds the view; it reads in Init.
func New(ctx context.Context, c *common.Common, id common.ViewID, be Lister) *Model {
	ctx, cancel := context.WithCancel(ctx)
	m := &Model{c: c, id: id, be: be, ctx: ctx, cancel: cancel, table: table.New(c, render.StackHeader()),
		open: keys.New("enter", "open stack", "enter"), nav: keys.NewNav()}
	m.table.SetEmpty("reading stacks…")
	return m
}

func (m *Model) Title() string    { return "stacks" }
func (m *Model) Close()           { m.cancel() }
func (m *Model) Capturing() bool  { return m.table.Filtering() }
func (m *Model) HandleBack() bool { return m.table.ClearFilter() }
func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.open, m.nav.Up, m.nav.Down, m.nav.Filter}
}
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{{m.open}, m.nav.Bindings()} }
func (m *Model) Init() tea.Cmd             { return m.read() }

// StackNames are the stacks as last read, for completion.
func (m *Model) StackNames() []string {
	out := make([]string, len(m.stacks))
	for i, s := range m.stacks {
		out[i] = s.Name
	}
	return out
}

func (m *Model) read() tea.Cmd {
	ctx, be := m.ctx, m.be
	return common.Tag(m.id, func() tea.Msg {
		stacks, err := be.Stacks(ctx)
		return loaded{stacks, err}
	})
}

// Update handles reads, the timer, keys and the mouse.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case loaded:
		m.onLoaded(msg)
		return m, common.Tag(m.id, tea.Tick(Interval, func(time.Time) tea.Msg { return tick{} }))
	case tick:
		if m.ctx.Err() != nil {
			return m, nil
		}
		return m, m.read()
	case tea.MouseClickMsg:
		m.table.Click(msg.Mouse().Y)
	case tea.MouseWheelMsg:
		m.table.Update(msg)
	case tea.KeyPressMsg:
		if handled, cmd := m.table.Update(msg); handled {
			return m, cmd
		}
		if key.Matches(msg, m.open) {
			if i := m.table.Selected(); i >= 0 {
				return m, common.Send(common.OpenStack{Name: m.stacks[i].Name})
			}
		}
	}
	return m, nil
}

func (m *Model) onLoaded(msg loaded) {
	if msg.err != nil {
		m.err = termsafe.Clean(msg.err.Error())
		return
	}
	m.err, m.stacks = "", msg.stacks
	rows := make([]render.Row, len(msg.stacks))
	for i, s := range msg.stacks {
		rows[i] = render.StackRow(s)
	}
	m.table.SetEmpty("no stacks on this swarm (deploy one with swarmtop deploy)")
	m.table.SetRows(rows)
}

func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.table.SetSize(w, max(h-1, 1))
}

// View renders the table and the last error, if any.
func (m *Model) View() string {
	foot := m.c.Styles.Muted.Render(table.Pad("enter opens a stack · :nodes for the nodes", m.width))
	if m.err != "" {
		foot = m.c.Styles.Danger.Render(table.Pad("! "+m.err, m.width))
	}
	return strings.Join([]string{m.table.View(), foot}, "\n")
}
