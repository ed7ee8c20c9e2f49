// Package scroll turns the navigation keys into a move. The table moves its
// cursor by it and the pager its first line, so both answer the same keys
// the same way.
package scroll

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/tui/keys"
)

// Step is how far a nav key moves: one for up and down, page for page up
// and down, and all (the length of what scrolls) for top and bottom, which
// the caller's clamping stops at the first or last line. ok is false for a
// key that is not a move, so the caller can try its own keys.
func Step(nav keys.Nav, msg tea.KeyPressMsg, page, all int) (n int, ok bool) {
	switch {
	case key.Matches(msg, nav.Up):
		return -1, true
	case key.Matches(msg, nav.Down):
		return 1, true
	case key.Matches(msg, nav.PageUp):
		return -page, true
	case key.Matches(msg, nav.PageDown):
		return page, true
	case key.Matches(msg, nav.Top):
		return -all, true
	case key.Matches(msg, nav.Bottom):
		return all, true
	}
	return 0, false
}
