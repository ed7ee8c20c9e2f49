package tui

import (
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/cmdline"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/dialog"
	"github.com/swarmtop/swarmtop/tui/ops"
)

// runCommand carries out a `:` command. Commands that change the swarm go
// through the same confirmation as the keys.
func (m *Model) runCommand(c cmdline.Command) tea.Cmd {
	switch c.Verb {
	case "quit":
		return m.quit()
	case "stacks":
		return m.openStacks()
	case "stack":
		return m.push(m.newStack(c.Args[0]))
	case "nodes":
		return common.Send(common.OpenNodes{})
	case "activity":
		return common.Send(common.OpenActivity{})
	case "logs":
		return common.Send(common.OpenLogs{Stack: m.currentStack(), Services: c.Args})
	case "diff":
		return m.openDiff()
	case "deploy":
		return m.planDeploy()
	case "release":
		return m.releaseCommand(c.Args)
	}
	return m.serviceCommand(c)
}

// serviceCommand opens the confirmation for :scale, :restart, :rollback
// and :image on a service of the current stack.
func (m *Model) serviceCommand(c cmdline.Command) tea.Cmd {
	svc, ok := m.service(c.Args[0])
	if !ok {
		return failed("no service " + c.Args[0] + " in the current stack")
	}
	stack := m.currentStack()
	switch c.Verb {
	case "restart":
		return dialog.For(m.c, ops.Restart, stack, svc)
	case "rollback":
		return dialog.For(m.c, ops.Rollback, stack, svc)
	case "scale":
		if svc.Replicas == nil {
			return failed("cannot scale " + svc.Name + ": it is a " + svc.Mode + " service")
		}
		n, err := dialog.ParseReplicas(c.Args[1], *svc.Replicas)
		if err != nil {
			return failed(err.Error())
		}
		from := strconv.FormatUint(*svc.Replicas, 10)
		return m.confirm(ops.Op{Kind: ops.Scale, Stack: stack, Service: svc.Name, FullName: svc.FullName,
			From: from, To: strconv.FormatUint(n, 10)})
	case "image":
		return m.confirm(ops.Op{Kind: ops.Image, Stack: stack, Service: svc.Name, FullName: svc.FullName,
			From: svc.Image, To: c.Args[1]})
	}
	return nil
}

// releaseCommand is :release [TAG] on the current stack.
func (m *Model) releaseCommand(args []string) tea.Cmd {
	v := m.stackView()
	if v == nil {
		return failed("open a stack first: :release acts on the stack shown")
	}
	tag := ""
	if len(args) > 0 {
		tag = args[0]
	}
	return m.askRelease(v.Stack(), append([]swarm.Service(nil), v.Services()...), tag)
}

func (m *Model) confirm(op ops.Op) tea.Cmd {
	if m.c.ReadOnly {
		return failed("read-only: " + string(op.Kind) + " is disabled")
	}
	return common.Send(dialog.OpenMsg{Dialog: dialog.NewConfirm(m.c, op)})
}

func failed(text string) tea.Cmd { return common.Send(common.Status{Text: text, Error: true}) }
