// Package table is the scrollable, filterable, clickable table every
// resource view uses. Rows come from the pure renderers in tui/render.
package table

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/keys"
	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/scroll"
	"github.com/swarmtop/swarmtop/tui/styles"
)

// Model is a table with a cursor. The zero cursor is the first visible row.
type Model struct {
	c       *common.Common
	cols    []render.Column
	rows    []render.Row
	visible []int // indexes into rows that pass the filter
	cursor  int   // index into visible
	offset  int   // first visible row shown
	width   int
	height  int
	focused bool
	empty   string

	keys      keys.Nav
	filter    textinput.Model
	filtering bool // the filter input has the keyboard
}

// New builds an empty, focused table.
func New(c *common.Common, cols []render.Column) Model {
	f := textinput.New()
	f.Prompt = "/"
	f.CharLimit = 64
	return Model{c: c, cols: cols, keys: keys.NewNav(), focused: true, filter: f, empty: "nothing here"}
}

// SetEmpty sets the text shown when there are no rows.
func (m *Model) SetEmpty(text string) { m.empty = text }

// SetColumns replaces the columns (their count must match the rows').
func (m *Model) SetColumns(cols []render.Column) { m.cols = cols }

// SetRows replaces the rows, keeping the selection on the row with the same
// first cell (the object's name) when it is still there.
func (m *Model) SetRows(rows []render.Row) {
	selected := m.selectedKey()
	m.rows = rows
	m.applyFilter()
	if selected == "" {
		return
	}
	for i, r := range m.visible {
		if key0(m.rows[r]) == selected {
			m.cursor = i
			m.scrollToCursor()
			return
		}
	}
}

func key0(r render.Row) string {
	if len(r.Cells) == 0 {
		return ""
	}
	return r.Cells[0]
}

func (m *Model) selectedKey() string {
	if i := m.Selected(); i >= 0 {
		return key0(m.rows[i])
	}
	return ""
}

// SetSize sets the table's outer size, header and filter line included.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.filter.SetWidth(max(w-2, 1))
	m.scrollToCursor()
}

// Focus and Blur mark whether the table is the active pane.
func (m *Model) Focus()         { m.focused = true }
func (m *Model) Blur()          { m.focused = false }
func (m Model) Focused() bool   { return m.focused }
func (m Model) Len() int        { return len(m.visible) }
func (m Model) Filtering() bool { return m.filtering }

// Selected is the index in the rows given to SetRows of the row under the
// cursor, or -1 when nothing is shown.
func (m Model) Selected() int {
	if m.cursor < 0 || m.cursor >= len(m.visible) {
		return -1
	}
	return m.visible[m.cursor]
}

// Update handles navigation, filtering and the mouse. handled reports
// whether the message was the table's, so the view does not act on it too.
func (m *Model) Update(msg tea.Msg) (handled bool, cmd tea.Cmd) {
	if m.filtering {
		return m.updateFilter(msg)
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.updateKey(msg)
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			m.move(-1)
		case tea.MouseWheelDown:
			m.move(1)
		}
		return true, nil
	}
	return false, nil
}

func (m *Model) updateKey(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	page := max(m.bodyHeight()-1, 1)
	if n, ok := scroll.Step(m.keys, msg, page, len(m.visible)); ok {
		m.move(n)
		return true, nil
	}
	if key.Matches(msg, m.keys.Filter) {
		m.filtering = true
		m.scrollToCursor() // the filter line takes a row: keep the cursor in sight
		return true, m.filter.Focus()
	}
	return false, nil
}

// updateFilter edits the filter: enter keeps it, esc clears it.
func (m *Model) updateFilter(msg tea.Msg) (bool, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "enter":
			m.filtering = false
			m.filter.Blur()
			return true, nil
		case "esc":
			m.filtering = false
			m.filter.Blur()
			m.filter.SetValue("")
			m.applyFilter()
			return true, nil
		}
	}
	var cmd tea.Cmd
	m.filter, cmd = m.filter.Update(msg)
	m.applyFilter()
	return true, cmd
}

// ClearFilter drops a kept filter; it reports whether there was one, so esc
// first clears the filter and only then goes back.
func (m *Model) ClearFilter() bool {
	if m.filter.Value() == "" {
		return false
	}
	m.filter.SetValue("")
	m.applyFilter()
	return true
}

func (m *Model) applyFilter() {
	q := strings.ToLower(m.filter.Value())
	m.visible = m.visible[:0]
	for i, r := range m.rows {
		if q == "" || strings.Contains(strings.ToLower(strings.Join(r.Cells, " ")), q) {
			m.visible = append(m.visible, i)
		}
	}
	m.cursor = clamp(m.cursor, 0, max(len(m.visible)-1, 0))
	m.scrollToCursor()
}

// Click selects the row at y, counted from the table's top line (the
// header). It reports whether a row was hit.
func (m *Model) Click(y int) bool {
	i := m.offset + y - 1
	if y < 1 || y > m.bodyHeight() || i >= len(m.visible) {
		return false
	}
	m.cursor = i
	return true
}

func (m *Model) move(n int) {
	m.cursor = clamp(m.cursor+n, 0, max(len(m.visible)-1, 0))
	m.scrollToCursor()
}

func (m *Model) scrollToCursor() {
	h := m.bodyHeight()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if h > 0 && m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = clamp(m.offset, 0, max(len(m.visible)-h, 0))
}

// bodyHeight is the number of rows shown: the height less the header and
// the filter line.
func (m Model) bodyHeight() int {
	h := m.height - 1
	if m.filtering || m.filter.Value() != "" {
		h--
	}
	return max(h, 0)
}

// View renders exactly height lines of width cells.
func (m Model) View() string {
	if m.height <= 0 {
		return ""
	}
	w := layout(m.cols, m.rows, m.width)
	lines := make([]string, 0, m.height)
	lines = append(lines, m.c.Styles.TableHeader.Render(pad(joinCells(titles(m.cols), w), m.width)))
	for i := m.offset; i < len(m.visible) && len(lines) < m.bodyHeight()+1; i++ {
		lines = append(lines, m.renderRow(m.rows[m.visible[i]], w, i == m.cursor))
	}
	if len(m.visible) == 0 {
		lines = append(lines, m.c.Styles.Muted.Render(pad("  "+m.emptyText(), m.width)))
	}
	for len(lines) < m.height-m.filterLines() {
		lines = append(lines, strings.Repeat(" ", m.width))
	}
	lines = lines[:m.height-m.filterLines()]
	if m.filterLines() > 0 {
		lines = append(lines, m.filterLine())
	}
	return strings.Join(lines, "\n")
}

func (m Model) filterLines() int {
	if m.height > 1 && (m.filtering || m.filter.Value() != "") {
		return 1
	}
	return 0
}

func (m Model) filterLine() string {
	if m.filtering {
		return pad(m.filter.View(), m.width)
	}
	return m.c.Styles.Muted.Render(pad("filter: "+m.filter.Value()+"  (/ edit, esc clear)", m.width))
}

func (m Model) emptyText() string {
	if len(m.rows) > 0 {
		return "no match for " + m.filter.Value()
	}
	return m.empty
}

func (m Model) renderRow(r render.Row, w []int, selected bool) string {
	line := pad(joinCells(r.Cells, w), m.width)
	switch {
	case selected && m.focused:
		return m.c.Styles.Selected.Render(line)
	case selected:
		return m.c.Styles.Highlight.Render(line)
	}
	return ToneStyle(m.c.Styles, r.Tone).Render(line)
}

// ToneStyle is the style for a row or line of tone t. The table and the
// pager both use it, so a warning looks the same in a table and a report.
func ToneStyle(s *styles.Styles, t render.Tone) lipgloss.Style {
	switch t {
	case render.ToneOK:
		return s.OK
	case render.ToneWarning:
		return s.Warning
	case render.ToneDanger:
		return s.Danger
	case render.ToneMuted:
		return s.Muted
	}
	return s.Row
}

func titles(cols []render.Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Title
	}
	return out
}

// joinCells lays cells out at widths w, skipping dropped (0) columns.
func joinCells(cells []string, w []int) string {
	var b strings.Builder
	first := true
	for i, width := range w {
		if width == 0 {
			continue
		}
		if !first {
			b.WriteString(strings.Repeat(" ", gap))
		}
		first = false
		cell := ""
		if i < len(cells) {
			cell = cells[i]
		}
		b.WriteString(pad(ansi.Truncate(cell, width, "…"), width))
	}
	return b.String()
}

func cellWidth(s string) int { return ansi.StringWidth(s) }

// pad cuts or fills s to exactly w cells.
func pad(s string, w int) string {
	s = ansi.Truncate(s, w, "…")
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// Pad is pad for the views: s cut or filled to exactly w cells.
func Pad(s string, w int) string { return pad(s, w) }

// Spread puts left and right on one line of w cells, cutting left first;
// when right leaves no room, left alone, cut to w.
func Spread(left, right string, w int) string {
	rw := ansi.StringWidth(right)
	if rw+2 > w {
		return ansi.Truncate(left, w, "…")
	}
	left = ansi.Truncate(left, w-rw-1, "…")
	return left + strings.Repeat(" ", w-ansi.StringWidth(left)-rw) + right
}

// Wrapped is text wrapped into exactly n lines of w cells, each in style:
// the views' detail lines, which show a long error whole rather than cut.
func Wrapped(style lipgloss.Style, text string, w, n int) string {
	wrapped := strings.Split(ansi.Hardwrap(text, max(w, 1), true), "\n")
	out := make([]string, n)
	for i := range out {
		if i < len(wrapped) {
			out[i] = wrapped[i]
		}
		out[i] = style.Render(pad(out[i], w))
	}
	return strings.Join(out, "\n")
}
