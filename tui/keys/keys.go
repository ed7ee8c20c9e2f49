// Package keys builds key bindings. Every view constructs its own keymap
// from these helpers; there is no package-level keymap to mutate.
package keys

import "charm.land/bubbles/v2/key"

// New is a binding for keys with a help entry.
func New(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// Global are the keys the root handles whatever view is active.
type Global struct {
	Quit, ForceQuit, Help, Command, Back key.Binding
}

// NewGlobal builds the root's keys.
func NewGlobal() Global {
	return Global{
		Quit:      New("q", "back/quit", "q"),
		ForceQuit: New("ctrl+c", "quit", "ctrl+c"),
		Help:      New("?", "help", "?"),
		Command:   New(":", "command", ":"),
		Back:      New("esc", "back", "esc"),
	}
}

// Nav are the movement keys every table shares.
type Nav struct {
	Up, Down, PageUp, PageDown, Top, Bottom, Filter key.Binding
}

// NewNav builds table navigation keys.
func NewNav() Nav {
	return Nav{
		Up:       New("↑/k", "up", "up", "k"),
		Down:     New("↓/j", "down", "down", "j"),
		PageUp:   New("pgup", "page up", "pgup", "ctrl+u"),
		PageDown: New("pgdn", "page down", "pgdown", "ctrl+d"),
		Top:      New("g", "top", "home", "g"),
		Bottom:   New("G", "bottom", "end", "G"),
		Filter:   New("/", "filter", "/"),
	}
}

// Bindings lists the nav keys for help.
func (n Nav) Bindings() []key.Binding {
	return []key.Binding{n.Up, n.Down, n.PageUp, n.PageDown, n.Top, n.Bottom, n.Filter}
}

// Actions are the service operations; views hide them in read-only mode.
type Actions struct {
	Scale, Restart, Rollback, Image, Logs, Inspect key.Binding
}

// NewActions builds the service action keys; readOnly disables those that
// change anything, so they neither match nor show in help.
func NewActions(readOnly bool) Actions {
	a := Actions{
		Scale:    New("s", "scale", "s"),
		Restart:  New("r", "restart", "r"),
		Rollback: New("R", "rollback", "R"),
		Image:    New("i", "set image", "i"),
		Logs:     New("l", "logs", "l"),
		Inspect:  New("d", "describe", "d"),
	}
	if readOnly {
		for _, b := range []*key.Binding{&a.Scale, &a.Restart, &a.Rollback, &a.Image} {
			b.SetEnabled(false)
		}
	}
	return a
}
