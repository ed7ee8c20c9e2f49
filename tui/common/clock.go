package common

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
)

// Clock returns the time renders judge ages by. Tests pass a fixed one so
// golden files do not change from run to run.
type Clock func() time.Time

// Now is the moment to render ages against; the wall clock if none is set.
func (c *Common) Now() time.Time {
	if c.Clock == nil {
		return time.Now()
	}
	return c.Clock()
}

// Messages a view sends the root to move between views or ask for an
// operation. Views never build other views: the root owns the view stack.

// OpenStack asks for the stack view of one stack.
type OpenStack struct{ Name string }

// OpenTasks asks for the task view of one service.
type OpenTasks struct {
	Stack   string
	Service swarm.Service
}

// OpenNodes asks for the nodes view.
type OpenNodes struct{}

// OpenStacks asks for the stacks list.
type OpenStacks struct{}

// OpenActivity asks for the activity view.
type OpenActivity struct{}

// OpenLogs asks for the logs of some services of a stack (all when empty).
type OpenLogs struct {
	Stack    string
	Services []string
}

// OpenInspect asks for the inspect view of one service.
type OpenInspect struct{ Service swarm.Service }

// Back closes the active view.
type Back struct{}

// Events are swarm events a view saw; the root records them in the
// activity log.
type Events struct{ Events []swarm.Event }

// Status is a one-line message for the status bar.
type Status struct {
	Text  string
	Error bool
}

// Send wraps a message as a command; views use it to talk to the root.
func Send(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// Requests about the stack file given with -c; the root carries them out.

// OpenDiff asks for the diff view of the stack file.
type OpenDiff struct{}

// AskDeploy asks to plan a deploy of the stack file and confirm it.
type AskDeploy struct{}

// AskRelease asks for the release dialog of a stack, prefilled with the
// tag most of services run.
type AskRelease struct {
	Stack    string
	Services []swarm.Service
}

// AskWriteBack asks to write a service's live replica count into the
// stack file.
type AskWriteBack struct{ Service swarm.Service }
