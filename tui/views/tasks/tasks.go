// Package tasks is the task view of one service: every slot's current task
// and, on h, the history the engine keeps, with the full error of the
// selected task below.
package tasks

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/dialog"
	"github.com/swarmtop/swarmtop/tui/keys"
	"github.com/swarmtop/swarmtop/tui/live"
	"github.com/swarmtop/swarmtop/tui/ops"
	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/table"
)

const detailLines = 3

type keyMap struct {
	History key.Binding
	Actions keys.Actions
	Nav     keys.Nav
}

// Model is the tasks view.
type Model struct {
	c       *common.Common
	id      common.ViewID
	be      live.Watcher
	stack   string
	service swarm.Service // as last read
	ctx     context.Context
	cancel  context.CancelFunc

	state   live.State
	shared  bool // fed by the watch of the view below (ShareWatch)
	history bool
	table   table.Model
	shown   []swarm.Task
	ages    common.AgeTimer
	keys    keyMap
	width   int
	height  int
}

// New builds the view of svc's tasks. It watches the stack itself, so it
// stays live whatever view is below it, unless ShareWatch says a view below
// already does.
func New(ctx context.Context, c *common.Common, id common.ViewID, be live.Watcher, stack string, svc swarm.Service) *Model {
	ctx, cancel := context.WithCancel(ctx)
	m := &Model{c: c, id: id, be: be, stack: stack, service: svc, ctx: ctx, cancel: cancel,
		table: table.New(c, render.TaskHeader()),
		keys: keyMap{
			History: keys.New("h", "history", "h"),
			Actions: keys.NewActions(c.ReadOnly),
			Nav:     keys.NewNav(),
		},
	}
	m.table.SetEmpty("no tasks")
	return m
}

// Seed shows a snapshot the caller already has, so the view is not empty
// until its own watch answers.
func (m *Model) Seed(snap swarm.Snapshot) {
	if snap.Taken.IsZero() {
		return
	}
	m.state.Snapshot, m.state.Loaded = snap, true
	m.refresh()
}

func (m *Model) Title() string             { return m.service.Name + " tasks" }
func (m *Model) Stack() string             { return m.stack }
func (m *Model) Services() []swarm.Service { return m.state.Snapshot.Services }
func (m *Model) Close() tea.Cmd            { m.cancel(); return nil }
func (m *Model) Capturing() bool           { return m.table.Filtering() }
func (m *Model) HandleBack() bool          { return m.table.ClearFilter() }

// ShareWatch makes the view live on the updates of a watch of its stack
// that a view below runs, which the root hands on as live.Shared, instead
// of starting a second one. Call it before Init.
func (m *Model) ShareWatch() { m.shared = true }

// SharesWatch says the view lives on a watch below it.
func (m *Model) SharesWatch() bool { return m.shared }

// Init starts the view's own watch, unless it shares one.
func (m *Model) Init() tea.Cmd {
	if m.shared {
		return nil
	}
	return common.Tag(m.id, live.Start(m.ctx, m.be, m.stack))
}

func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.History, m.keys.Actions.Scale, m.keys.Actions.Restart, m.keys.Actions.Logs, m.keys.Nav.Filter}
}
func (m *Model) FullHelp() [][]key.Binding {
	a := m.keys.Actions
	return [][]key.Binding{{m.keys.History, a.Logs, a.Inspect}, {a.Scale, a.Restart, a.Rollback, a.Image}, m.keys.Nav.Bindings()}
}

// Update handles the watch, keys and the mouse, then keeps the shown
// tasks' ages ticking.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	cmd := m.update(msg)
	return m, tea.Batch(cmd, m.ages.FollowTasks(m.id, m.c.Now(), m.shown))
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case live.Msg:
		if msg.Closed {
			return nil
		}
		m.state.Apply(msg)
		m.refresh()
		return common.Tag(m.id, live.Next(msg))
	case live.Shared:
		m.state.Apply(msg.Msg)
		m.refresh()
	case common.AgesDue:
		if m.ages.Due(msg) {
			m.refresh()
		}
	case tea.KeyPressMsg:
		return m.onKey(msg)
	case tea.MouseClickMsg:
		m.table.Click(msg.Mouse().Y - 1)
	case tea.MouseWheelMsg:
		m.table.Update(msg)
	}
	return nil
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	if handled, cmd := m.table.Update(msg); handled {
		return cmd
	}
	a := m.keys.Actions
	switch {
	case key.Matches(msg, m.keys.History):
		m.history = !m.history
		m.refresh()
	case key.Matches(msg, a.Logs):
		return common.Send(common.OpenLogs{Stack: m.stack, Services: []string{m.service.Name}})
	case key.Matches(msg, a.Inspect):
		return common.Send(common.OpenInspect{Service: m.service})
	case key.Matches(msg, a.Scale):
		return dialog.For(m.c, ops.Scale, m.stack, m.service)
	case key.Matches(msg, a.Restart):
		return dialog.For(m.c, ops.Restart, m.stack, m.service)
	case key.Matches(msg, a.Rollback):
		return dialog.For(m.c, ops.Rollback, m.stack, m.service)
	case key.Matches(msg, a.Image):
		return dialog.For(m.c, ops.Image, m.stack, m.service)
	}
	return nil
}

func (m *Model) refresh() {
	if svc, ok := m.state.Service(m.service.Name); ok {
		m.service = svc
	}
	tasks, restarts := render.SlotTasks(m.state.Snapshot.Tasks, m.service.ID, m.history)
	m.shown = tasks
	m.table.SetRows(render.TaskRows(tasks, restarts, m.c.Now()))
}

// SetSize gives the table all but the title and detail lines.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.table.SetSize(w, max(h-1-detailLines, 1))
}

// View renders the title, the table and the selected task in full.
func (m *Model) View() string {
	s := m.c.Styles
	which := "current tasks (h: with history)"
	if m.history {
		which = "all tasks incl. history (h: current only)"
	}
	title := m.service.Name + " · " + render.Replicas(m.service) + " · " + which
	if !m.state.Loaded {
		title = m.service.Name + " · reading…"
	}
	if m.state.Err != "" {
		title += " · ! " + m.state.Err
	}
	return strings.Join([]string{
		s.Title.Render(table.Pad(title, m.width)),
		m.table.View(),
		m.detail(),
	}, "\n")
}

func (m *Model) detail() string {
	text := ""
	if i := m.table.Selected(); i >= 0 && i < len(m.shown) {
		t := m.shown[i]
		text = render.TaskDetail(t) + " · image " + t.Image + " · task " + t.ID
	}
	return table.Wrapped(m.c.Styles.Muted, text, m.width, detailLines)
}
