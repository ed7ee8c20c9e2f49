// Package common holds what every swarmtop view shares: the component
// contract, the sizes and the styles and keys passed down from the root.
package common

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/tui/styles"
)

// Component is one view or widget. Each publishes its own key bindings
// (help.KeyMap) so `?` and the footer show what applies where, and gets its
// size from its parent.
type Component interface {
	Init() tea.Cmd
	Update(msg tea.Msg) (Component, tea.Cmd)
	View() string
	SetSize(width, height int)
	help.KeyMap
}

// Common is handed to every component: shared, read-only during a frame.
// Styles are rebuilt by the root when the terminal reports its background.
type Common struct {
	Styles   *styles.Styles
	ReadOnly bool
	// Clock is the time source for ages ("running 5m"); nil means the
	// wall clock.
	Clock Clock
	// AuditLog is the audit log the activity view reads, so it also shows
	// other swarmtop processes' changes; "" shows none.
	AuditLog string
}

// ViewID names a view so asynchronous results reach the view that asked,
// even when the user has moved on.
type ViewID string

// Tagged wraps a result of a command with the view that asked for it; the
// root delivers it to that view only.
type Tagged struct {
	View ViewID
	Msg  tea.Msg
}

// Tag wraps cmd's result for delivery to view.
func Tag(view ViewID, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg {
		msg := cmd()
		if msg == nil {
			return nil
		}
		return Tagged{View: view, Msg: msg}
	}
}
