package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/table"
)

const (
	headerLines = 1
	footerLines = 1
)

// View draws header, active view and footer, then the dialog or the help
// screen over them.
func (m *Model) View() tea.View {
	v := tea.NewView(m.frame())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "swarmtop " + m.breadcrumb()
	return v
}

// frame is the whole screen as a string; tests golden it.
func (m *Model) frame() string {
	body := m.active().View()
	base := strings.Join([]string{m.header(), fit(body, m.width, m.bodyHeight()), m.footer()}, "\n")
	switch {
	case m.dialog != nil:
		return m.overlay(base, m.dialog.View())
	case m.showHelp:
		return m.overlay(base, m.helpView())
	}
	return base
}

func (m *Model) header() string {
	s := m.c.Styles
	left := s.Title.Render("swarmtop") + " " + m.breadcrumb()
	right := "? help  : command"
	if m.c.ReadOnly {
		right = s.Warning.Render("READ-ONLY") + "  " + right
	}
	gap := m.width - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		return s.Header.Render(table.Pad(left, m.width))
	}
	return s.Header.Render(left + strings.Repeat(" ", gap) + right)
}

func (m *Model) breadcrumb() string {
	var parts []string
	for _, v := range m.views {
		if t, ok := v.comp.(titled); ok {
			parts = append(parts, t.Title())
		}
	}
	return render.Clean(strings.Join(parts, " › "))
}

// footer is the command line when open, else the ops in flight, else the
// last verdict or message, else the active view's keys.
func (m *Model) footer() string {
	s := m.c.Styles
	if m.cmdline != nil {
		return m.cmdline.View()
	}
	if run := m.running(); len(run) > 0 {
		line := run[len(run)-1].Line()
		if len(run) > 1 {
			line = fmt.Sprintf("[%d ops] ", len(run)) + line
		}
		return s.Info.Render(table.Pad(line, m.width))
	}
	if m.notice != nil {
		st := s.OK
		if m.notice.Error {
			st = s.Danger
		}
		return st.Render(table.Pad(m.notice.Text, m.width))
	}
	return table.Pad(m.keysLine(), m.width)
}

// keysLine is the active view's keys, as many as fit whole. The help
// component cuts the line itself, but when its "…" would not fit either it
// keeps the key that does not, which the footer then cut mid-word ("? hel…");
// so keys are dropped from the end, quit first, until the line fits.
func (m *Model) keysLine() string {
	m.help.SetWidth(m.width)
	bindings := m.shortHelp()
	for len(bindings) > 1 {
		if line := m.help.ShortHelpView(bindings); ansi.StringWidth(line) <= m.width {
			return line
		}
		bindings = bindings[:len(bindings)-1]
	}
	return m.help.ShortHelpView(bindings)
}

func (m *Model) shortHelp() []key.Binding {
	return append(m.active().ShortHelp(), m.keys.Help, m.keys.Quit)
}

func (m *Model) helpView() string {
	s := m.c.Styles
	groups := append(m.active().FullHelp(), []key.Binding{m.keys.Command, m.keys.Help, m.keys.Back, m.keys.Quit, m.keys.ForceQuit})
	body := m.helpColumns(groups, max(m.width-6, 20))
	extra := s.Muted.Render(":stacks :nodes :activity :logs web :scale web 4 :restart web :quit")
	return s.Dialog.Render(s.DialogTitle.Render("Keys") + "\n\n" + body + "\n\n" + extra)
}

// helpColumns lays the key groups out side by side as far as they fit in
// width, and the rest in rows below. The help component alone drops the
// columns that do not fit: at 80 columns the logs view's third (wrap, tail,
// since, timestamps, save) was not shown anywhere.
func (m *Model) helpColumns(groups [][]key.Binding, width int) string {
	h := m.help
	h.SetWidth(0) // one group at a time, each whole
	gap := h.FullSeparator
	var rows, row []string
	rowWidth := 0
	for _, g := range groups {
		col := h.FullHelpView([][]key.Binding{g})
		if col == "" { // every key of the group disabled
			continue
		}
		w := lipgloss.Width(col)
		if len(row) > 0 && rowWidth+len(gap)+w > width {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, rowWidth = nil, 0
		}
		if len(row) > 0 {
			row, rowWidth = append(row, gap), rowWidth+len(gap)
		}
		row, rowWidth = append(row, col), rowWidth+w
	}
	if len(row) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	return strings.Join(rows, "\n\n")
}

// overlay centres box over base.
func (m *Model) overlay(base, box string) string {
	w, h := lipgloss.Width(box), lipgloss.Height(box)
	x, y := max((m.width-w)/2, 0), max((m.height-h)/2, 0)
	return lipgloss.NewCompositor(
		lipgloss.NewLayer(base),
		lipgloss.NewLayer(box).X(x).Y(y).Z(1),
	).Render()
}

// fit makes s exactly h lines of at most w cells, so a view can never push
// the footer off the screen.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			lines[i] = ansi.Truncate(l, w, "")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
