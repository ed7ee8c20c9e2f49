package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/cmdline"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/views/activity"
	"github.com/swarmtop/swarmtop/tui/views/nodes"
	stackview "github.com/swarmtop/swarmtop/tui/views/stack"
	"github.com/swarmtop/swarmtop/tui/views/stacks"
	"github.com/swarmtop/swarmtop/tui/views/tasks"
)

func (m *Model) newStack(name string) view {
	id := m.newID()
	v := stackview.New(m.ctx, m.c, id, m.be, name)
	if m.file != nil && m.file.Name == name {
		v.WithFile(m.be, m.file)
	}
	return view{id, v}
}

func (m *Model) newStacks() view {
	id := m.newID()
	return view{id, stacks.New(m.ctx, m.c, id, m.be)}
}

// push sizes a view and puts it on top; the caller runs its Init.
func (m *Model) push(v view) tea.Cmd {
	v.comp.SetSize(m.width, m.bodyHeight())
	m.views = append(m.views, v)
	return v.comp.Init()
}

// pop closes the top view; the last one stays.
func (m *Model) pop() tea.Cmd {
	if len(m.views) == 1 {
		return nil
	}
	cmd := closeView(m.active())
	m.views = m.views[:len(m.views)-1]
	return cmd
}

// navigate handles the views' requests to open another view.
func (m *Model) navigate(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case common.Back:
		return m.pop(), true
	case common.OpenStack:
		return m.push(m.newStack(msg.Name)), true
	case common.OpenStacks:
		return m.openStacks(), true
	case common.OpenTasks:
		return m.openTasks(msg), true
	case common.OpenNodes:
		if _, ok := m.active().(*nodes.Model); ok {
			return nil, true
		}
		id := m.newID()
		return m.push(view{id, nodes.New(m.ctx, m.c, id, m.be)}), true
	case common.OpenActivity:
		if _, ok := m.active().(*activity.Model); ok {
			return nil, true
		}
		return m.push(view{m.newID(), activity.New(m.c, m.activity)}), true
	case common.OpenLogs:
		return m.openLogs(msg), true
	case common.OpenInspect:
		return m.openInspect(msg), true
	}
	return nil, false
}

// openStacks returns to the stacks list when it is the bottom view, or
// pushes one.
func (m *Model) openStacks() tea.Cmd {
	if _, ok := m.views[0].comp.(*stacks.Model); ok {
		var cmds []tea.Cmd
		for len(m.views) > 1 {
			cmds = append(cmds, m.pop())
		}
		return tea.Batch(cmds...)
	}
	return m.push(m.newStacks())
}

func (m *Model) openTasks(msg common.OpenTasks) tea.Cmd {
	id := m.newID()
	v := tasks.New(m.ctx, m.c, id, m.be, msg.Stack, msg.Service)
	if s, ok := m.active().(interface{ Snapshot() swarm.Snapshot }); ok {
		v.Seed(s.Snapshot())
	}
	if m.watchOf(msg.Stack) >= 0 {
		v.ShareWatch()
	}
	return m.push(view{id, v})
}

// openLogs opens the logs view (Options.Logs, wired in cmd/swarmtop).
func (m *Model) openLogs(msg common.OpenLogs) tea.Cmd {
	if msg.Stack == "" {
		msg.Stack = m.currentStack()
	}
	if m.opts.Logs == nil || msg.Stack == "" {
		return common.Send(common.Status{Text: "no logs view here: use `swarmtop logs`", Error: true})
	}
	return m.push(m.ownView(m.opts.Logs(m.c, msg.Stack, msg.Services)))
}

func (m *Model) openInspect(msg common.OpenInspect) tea.Cmd {
	if m.opts.Inspect == nil {
		return common.Send(common.Status{Text: "no inspect view here", Error: true})
	}
	return m.push(m.ownView(m.opts.Inspect(m.c, msg.Service)))
}

// ownView keeps the ID a component tags its own results with, so they are
// routed back to it; other components get a fresh one.
func (m *Model) ownView(comp common.Component) view {
	if withID, ok := comp.(interface{ ID() common.ViewID }); ok {
		return view{withID.ID(), comp}
	}
	return view{m.newID(), comp}
}

// stackViewer is a view that shows one stack's services.
type stackViewer interface {
	Stack() string
	Services() []swarm.Service
}

// currentStack is the stack of the nearest view that shows one.
func (m *Model) currentStack() string {
	if v := m.stackView(); v != nil {
		return v.Stack()
	}
	return ""
}

func (m *Model) stackView() stackViewer {
	for i := len(m.views) - 1; i >= 0; i-- {
		if v, ok := m.views[i].comp.(stackViewer); ok {
			return v
		}
	}
	return nil
}

func (m *Model) service(name string) (swarm.Service, bool) {
	if v := m.stackView(); v != nil {
		for _, s := range v.Services() {
			if s.Name == name || s.FullName == name {
				return s, true
			}
		}
	}
	return swarm.Service{}, false
}

func (m *Model) openCommandLine() {
	var services, stackNames []string
	if v := m.stackView(); v != nil {
		for _, s := range v.Services() {
			services = append(services, s.Name)
		}
	}
	for _, v := range m.views {
		if s, ok := v.comp.(*stacks.Model); ok {
			stackNames = s.StackNames()
		}
	}
	cl := cmdline.New(m.c, services, stackNames)
	cl.SetWidth(m.width)
	m.cmdline = &cl
}
