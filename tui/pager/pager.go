// Package pager is a scrollable block of text lines, for the views that
// show a report rather than a table (the diff, a deploy's report).
package pager

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/keys"
	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/scroll"
	"github.com/swarmtop/swarmtop/tui/table"
)

// Model is the text and how far it is scrolled; the last line of its area
// says where it is.
type Model struct {
	c             *common.Common
	lines         []render.Line
	offset        int
	width, height int
	Nav           keys.Nav
}

// New is an empty pager.
func New(c *common.Common) Model { return Model{c: c, Nav: keys.NewNav()} }

// SetLines replaces the text, keeping the scroll where it still fits.
func (m *Model) SetLines(lines []render.Line) {
	m.lines = lines
	m.scroll(0)
}

// SetSize sets the area, position line included.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.scroll(0)
}

func (m Model) page() int { return max(m.height-1, 1) }

func (m *Model) scroll(n int) {
	m.offset = max(min(m.offset+n, len(m.lines)-m.page()), 0)
}

// Update scrolls on the nav keys and the wheel; it reports whether the
// message was its.
func (m *Model) Update(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			m.scroll(-3)
		case tea.MouseWheelDown:
			m.scroll(3)
		}
		return true
	case tea.KeyPressMsg:
		return m.key(msg)
	}
	return false
}

// key scrolls on a nav key; scroll's clamping stops top and bottom at the
// first and last page.
func (m *Model) key(msg tea.KeyPressMsg) bool {
	n, ok := scroll.Step(m.Nav, msg, m.page(), len(m.lines))
	if ok {
		m.scroll(n)
	}
	return ok
}

// Bindings are the pager's keys for help.
func (m Model) Bindings() []key.Binding {
	n := m.Nav
	return []key.Binding{n.Up, n.Down, n.PageUp, n.PageDown, n.Top, n.Bottom}
}

// View renders the visible lines, then the position line.
func (m Model) View() string {
	out := make([]string, 0, m.height)
	end := min(m.offset+m.page(), len(m.lines))
	for _, l := range m.lines[m.offset:end] {
		out = append(out, table.ToneStyle(m.c.Styles, l.Tone).Render(table.Pad(l.Text, m.width)))
	}
	for len(out) < m.page() {
		out = append(out, "")
	}
	pos := fmt.Sprintf("lines %d-%d of %d", min(m.offset+1, len(m.lines)), end, len(m.lines))
	if len(m.lines) <= m.page() {
		pos = render.Plural(len(m.lines), "line")
	}
	out = append(out, m.c.Styles.Muted.Render(table.Pad(pos+" · ↑/↓ pgup/pgdn scroll", m.width)))
	return strings.Join(out, "\n")
}
