package stack

import (
	"charm.land/bubbles/v2/key"

	"github.com/swarmtop/swarmtop/tui/keys"
)

type keyMap struct {
	Open, Tab key.Binding
	Actions   keys.Actions
	Nav       keys.Nav
}

func newKeys(readOnly bool) keyMap {
	return keyMap{
		Open:    keys.New("enter", "tasks", "enter"),
		Tab:     keys.New("tab", "switch pane", "tab", "shift+tab"),
		Actions: keys.NewActions(readOnly),
		Nav:     keys.NewNav(),
	}
}

// ShortHelp is the footer's line.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	return []key.Binding{k.Open, k.Tab, k.Actions.Scale, k.Actions.Restart, k.Actions.Logs, k.Nav.Filter}
}

// FullHelp is the `?` screen.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	a := k.Actions
	return [][]key.Binding{
		{k.Open, k.Tab, a.Logs, a.Inspect},
		{a.Scale, a.Restart, a.Rollback, a.Image},
		k.Nav.Bindings(),
	}
}
