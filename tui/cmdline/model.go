package cmdline

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/table"
)

// Submit is sent when enter is pressed on a line that parses.
type Submit struct{ Command Command }

// Cancel is sent when the line is left with esc.
type Cancel struct{}

// Model is the command line at the bottom of the screen.
type Model struct {
	c        *common.Common
	input    textinput.Model
	services []string
	stacks   []string
	hint     string
	isErr    bool
	width    int
}

// New builds an empty, focused command line; services and stacks feed the
// completion.
func New(c *common.Common, services, stacks []string) Model {
	ti := textinput.New()
	ti.Prompt = ":"
	ti.CharLimit = 200
	ti.Focus()
	return Model{c: c, input: ti, services: services, stacks: stacks,
		hint: "tab completes · enter runs · esc cancels"}
}

// SetWidth sets the line's width.
func (m *Model) SetWidth(w int) {
	m.width = w
	m.input.SetWidth(max(w/2, 10))
}

// Update edits the line: tab completes, enter submits, esc cancels.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return m, common.Send(Cancel{})
		case "enter":
			cmd, err := Parse(m.input.Value())
			if err != nil {
				m.hint, m.isErr = err.Error(), true
				return m, nil
			}
			return m, common.Send(Submit{Command: cmd})
		case "tab":
			m.complete()
			return m, nil
		}
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return m, cmd
}

func (m *Model) complete() {
	line := m.input.Value()
	cands := Complete(line, m.services, m.stacks)
	m.isErr = false
	switch len(cands) {
	case 0:
		m.hint = "no completion"
	case 1:
		m.input.SetValue(Apply(line, cands[0]))
		m.hint = ""
	default:
		if p := commonPrefix(cands); p != "" {
			fields := strings.Fields(line)
			last := ""
			if len(fields) > 0 && !strings.HasSuffix(line, " ") {
				last = fields[len(fields)-1]
			}
			if len(p) > len(last) {
				m.input.SetValue(strings.TrimSuffix(Apply(line, p), " "))
			}
		}
		m.hint = strings.Join(cands, " ")
	}
	m.input.CursorEnd()
}

// View renders the line and its hint.
func (m Model) View() string {
	hint := m.c.Styles.Muted.Render(m.hint)
	if m.isErr {
		hint = m.c.Styles.Danger.Render(m.hint)
	}
	return table.Pad(m.input.View()+"  "+hint, m.width)
}
