package nodes

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/tui/keys"
	"github.com/swarmtop/swarmtop/tui/ops"
)

// actionKeys change a node's availability. D is upper case: a drain moves
// every task, so it must not be one slip away from d (describe elsewhere).
type actionKeys struct {
	Drain, Pause, Activate key.Binding
}

// newActionKeys builds the node keys; read-only disables them, so they
// neither match nor show in help.
func newActionKeys(readOnly bool) actionKeys {
	a := actionKeys{
		Drain:    keys.New("D", "drain", "D"),
		Pause:    keys.New("p", "pause", "p"),
		Activate: keys.New("a", "activate", "a"),
	}
	for _, b := range []*key.Binding{&a.Drain, &a.Pause, &a.Activate} {
		b.SetEnabled(!readOnly)
	}
	return a
}

func (a actionKeys) bindings() []key.Binding { return []key.Binding{a.Drain, a.Pause, a.Activate} }

// match is the op a key asks for.
func (a actionKeys) match(msg tea.KeyPressMsg) (ops.Kind, bool) {
	switch {
	case key.Matches(msg, a.Drain):
		return ops.NodeDrain, true
	case key.Matches(msg, a.Pause):
		return ops.NodePause, true
	case key.Matches(msg, a.Activate):
		return ops.NodeActivate, true
	}
	return "", false
}
