package dialog

import (
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/ops"
)

// nodeAvailability is the availability each node op sets.
var nodeAvailability = map[ops.Kind]string{
	ops.NodeDrain:    swarm.AvailabilityDrain,
	ops.NodePause:    swarm.AvailabilityPause,
	ops.NodeActivate: swarm.AvailabilityActive,
}

// previewWidth wraps the node op's sentence to fit the dialog on an 80
// column terminal: the dialog cuts longer lines, and the part about
// pending tasks comes last.
const previewWidth = 64

// ForNode opens the confirmation of a node op. It says how many tasks
// will move and whether any node can take them, worked out from the nodes
// as last read (nodes is the whole swarm, target one of them).
func ForNode(c *common.Common, kind ops.Kind, nodes []swarm.Node, target swarm.Node) tea.Cmd {
	if c.ReadOnly {
		return common.Send(common.Status{Text: "read-only: " + string(kind) + " is disabled", Error: true})
	}
	to := nodeAvailability[kind]
	if target.Availability == to {
		return common.Send(common.Status{Text: "node " + target.Hostname + " is already " + to})
	}
	op := ops.Op{Kind: kind, Node: target.Hostname, NodeID: target.ID, From: target.Availability, To: to,
		Preview: ansi.Wordwrap(swarm.DescribeAvailability(nodes, target, to), previewWidth, "")}
	return common.Send(OpenMsg{Dialog: NewConfirm(c, op)})
}
