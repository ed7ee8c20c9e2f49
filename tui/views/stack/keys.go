package stack

import (
	"charm.land/bubbles/v2/key"

	"github.com/swarmtop/swarmtop/tui/keys"
)

type keyMap struct {
	Open, Tab key.Binding
	Actions   keys.Actions
	Nav       keys.Nav
	File      fileKeys
}

// fileKeys act on the stack as a whole or against its stack file.
type fileKeys struct {
	Diff, Deploy, Release, WriteBack key.Binding
}

func newKeys(readOnly bool) keyMap {
	return keyMap{
		Open:    keys.New("enter", "tasks", "enter"),
		Tab:     keys.New("tab", "switch pane", "tab", "shift+tab"),
		Actions: keys.NewActions(readOnly),
		Nav:     keys.NewNav(),
		File:    newFileKeys(readOnly, false),
	}
}

// newFileKeys: the diff, deploy and write-back need the stack file; all
// but the diff change something, so read-only disables them.
func newFileKeys(readOnly, hasFile bool) fileKeys {
	k := fileKeys{
		Diff:      keys.New("D", "diff with file", "D"),
		Deploy:    keys.New("ctrl+e", "deploy file", "ctrl+e"),
		Release:   keys.New("T", "release tag", "T"),
		WriteBack: keys.New("W", "write replicas to file", "W"),
	}
	k.Diff.SetEnabled(hasFile)
	k.Deploy.SetEnabled(hasFile && !readOnly)
	k.WriteBack.SetEnabled(hasFile && !readOnly)
	k.Release.SetEnabled(!readOnly)
	return k
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
		{k.Open, k.Tab, a.Logs, a.Inspect, k.File.Diff},
		{a.Scale, a.Restart, a.Rollback, a.Image, k.File.Release, k.File.WriteBack, k.File.Deploy},
		k.Nav.Bindings(),
	}
}
