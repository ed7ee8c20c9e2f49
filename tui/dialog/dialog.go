// Package dialog holds modal dialogs. A dialog never acts itself: it
// returns an Action value and the root carries it out (as crush does), so
// a dialog is trivially testable and cannot change the swarm by accident.
package dialog

import (
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/tui/ops"
)

// Dialog is a modal shown over the views; it gets every key while open.
type Dialog interface {
	Update(msg tea.Msg) (Action, tea.Cmd)
	View() string
}

// Action is what a dialog asks the root to do after a message.
type Action interface{ isAction() }

// None: keep the dialog open, nothing to do.
type None struct{}

// Close: close the dialog, do nothing.
type Close struct{}

// Confirmed: the operator confirmed Op; carry it out.
type Confirmed struct{ Op ops.Op }

// Replace: swap this dialog for another (an input leading to its confirm).
type Replace struct{ Dialog Dialog }

// WriteBack: the operator confirmed writing Replicas for Service into the
// stack file.
type WriteBack struct {
	Service  string
	Replicas uint64
}

func (None) isAction()      {}
func (Close) isAction()     {}
func (Confirmed) isAction() {}
func (Replace) isAction()   {}
func (WriteBack) isAction() {}

// OpenMsg asks the root to open a dialog. Views send it; the root refuses
// dialogs that lead to an op in read-only mode.
type OpenMsg struct{ Dialog Dialog }
