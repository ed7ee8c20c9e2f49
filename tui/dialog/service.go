package dialog

import (
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/ops"
)

// For opens the dialog that starts an op on a service: the value input for
// scale and image, the confirmation straight away for restart and
// rollback. Ops that cannot apply are refused here with a status message,
// before anything is asked.
func For(c *common.Common, kind ops.Kind, stack string, svc swarm.Service) tea.Cmd {
	if c.ReadOnly {
		return common.Send(common.Status{Text: "read-only: " + string(kind) + " is disabled", Error: true})
	}
	op := ops.Op{Kind: kind, Stack: stack, Service: svc.Name, FullName: svc.FullName}
	if op.FullName == "" {
		op.FullName = svc.Name
	}
	var d Dialog
	switch kind {
	case ops.Scale:
		if svc.Replicas == nil || svc.Mode != swarm.ModeReplicated {
			return refuse(kind, svc, "it is a "+svc.Mode+" service")
		}
		op.From = strconv.FormatUint(*svc.Replicas, 10)
		d = NewScale(c, op)
	case ops.Image:
		op.From = svc.Image
		d = NewImage(c, op)
	case ops.Rollback:
		if !svc.HasPreviousSpec {
			return refuse(kind, svc, "it has no previous spec")
		}
		d = NewConfirm(c, op)
	default:
		d = NewConfirm(c, op)
	}
	return common.Send(OpenMsg{Dialog: d})
}

func refuse(kind ops.Kind, svc swarm.Service, why string) tea.Cmd {
	return common.Send(common.Status{Text: "cannot " + string(kind) + " " + svc.Name + ": " + why, Error: true})
}
