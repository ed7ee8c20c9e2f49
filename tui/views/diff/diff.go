// Package diff is the diff view: the stack file against the cluster, per
// service and field (live → file), scrollable.
package diff

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/stackfile"
	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/drift"
	"github.com/swarmtop/swarmtop/tui/inspect"
	"github.com/swarmtop/swarmtop/tui/keys"
	"github.com/swarmtop/swarmtop/tui/pager"
	"github.com/swarmtop/swarmtop/tui/render"
)

// Model is the diff view.
type Model struct {
	c       *common.Common
	id      common.ViewID
	ctx     context.Context
	be      drift.Differ
	file    *stackfile.Stack
	pager   pager.Model
	refresh key.Binding
	// run numbers the diffs asked for; cancel stops the latest, which a
	// refresh replaces and leaving the view ends.
	run    int
	cancel context.CancelFunc
}

// result is a diff's outcome with the run that asked for it: only the
// latest run's may show.
type result struct {
	run int
	drift.Result
}

// New shows the diff of file; it computes it in Init.
func New(ctx context.Context, c *common.Common, id common.ViewID, be drift.Differ, file *stackfile.Stack) *Model {
	m := &Model{c: c, id: id, ctx: ctx, be: be, file: file, pager: pager.New(c),
		refresh: keys.New("r", "refresh", "r"), cancel: func() {}}
	m.pager.SetLines([]render.Line{{Text: "comparing " + render.FileNames(file.Files) + " with stack " + file.Name + "…"}})
	return m
}

// ID is the view's ID: its diff results are tagged with it.
func (m *Model) ID() common.ViewID { return m.id }

// Title names the view in the header.
func (m *Model) Title() string { return "diff" }

// Init computes the diff, stopping one still running.
func (m *Model) Init() tea.Cmd {
	m.cancel()
	ctx, cancel := context.WithCancel(m.ctx)
	m.run++
	m.cancel = cancel
	run, diff := m.run, drift.Run(ctx, m.be, m.file)
	return common.Tag(m.id, func() tea.Msg { return result{run, diff().(drift.Result)} })
}

// Close stops a diff still running: the view is gone. The root drops
// results for a closed view; moving past the run makes the view ignore a
// late one itself too.
func (m *Model) Close() tea.Cmd {
	m.cancel()
	m.run++
	return nil
}

// SetSize sizes the pager.
func (m *Model) SetSize(w, h int) { m.pager.SetSize(w, h) }

// Update takes the diff and scrolls.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case result:
		if msg.run == m.run {
			m.pager.SetLines(lines(msg.Result))
		}
	case tea.KeyPressMsg:
		if key.Matches(msg, m.refresh) {
			return m, m.Init()
		}
		m.pager.Update(msg)
	case tea.MouseWheelMsg:
		m.pager.Update(msg)
	}
	return m, nil
}

func lines(r drift.Result) []render.Line {
	if r.Err != nil {
		return []render.Line{{Text: "cannot compare: " + r.Err.Error(), Tone: render.ToneDanger}}
	}
	return render.DiffLines(masked(r.Diff))
}

// masked hides secret-looking env and label values: the engine shows them
// whole, and this screen may be shared.
func masked(d swarm.StackDiff) swarm.StackDiff {
	out := d
	out.Services = make([]swarm.ServiceDiff, len(d.Services))
	for i, s := range d.Services {
		s.Changes = append([]swarm.FieldChange(nil), s.Changes...)
		for j, c := range s.Changes {
			if _, name, ok := strings.Cut(c.Field, "."); ok && hasMaskedPrefix(c.Field) {
				s.Changes[j].Live, s.Changes[j].File = inspect.MaskValue(name, c.Live), inspect.MaskValue(name, c.File)
			}
		}
		out.Services[i] = s
	}
	return out
}

func hasMaskedPrefix(field string) bool {
	for _, p := range []string{"env.", "labels.", "container_labels."} {
		if strings.HasPrefix(field, p) {
			return true
		}
	}
	return false
}

// View is the pager.
func (m *Model) View() string { return m.pager.View() }

// ShortHelp is the footer's line.
func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.pager.Nav.Up, m.pager.Nav.Down, m.pager.Nav.PageDown, m.refresh}
}

// FullHelp is the `?` screen.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.pager.Bindings(), {m.refresh}} }
