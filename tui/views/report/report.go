// Package report is a static, scrollable report: what a deploy that
// stopped part way did to each object.
package report

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/pager"
	"github.com/swarmtop/swarmtop/tui/render"
)

// Model is the report view.
type Model struct {
	title string
	pager pager.Model
}

// New shows lines under title.
func New(c *common.Common, title string, lines []render.Line) *Model {
	m := &Model{title: title, pager: pager.New(c)}
	m.pager.SetLines(lines)
	return m
}

func (m *Model) Title() string    { return m.title }
func (m *Model) Init() tea.Cmd    { return nil }
func (m *Model) SetSize(w, h int) { m.pager.SetSize(w, h) }
func (m *Model) View() string     { return m.pager.View() }

// Update scrolls.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	m.pager.Update(msg)
	return m, nil
}

// ShortHelp is the footer's line.
func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.pager.Nav.Up, m.pager.Nav.Down, m.pager.Nav.PageDown}
}

// FullHelp is the `?` screen.
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.pager.Bindings()} }
