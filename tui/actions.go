package tui

import (
	"fmt"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/dialog"
	"github.com/swarmtop/swarmtop/tui/ops"
	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/views/activity"
	"github.com/swarmtop/swarmtop/tui/views/nodes"
)

// openDialog shows a dialog; in read-only mode no dialog that leads to a
// change is shown at all (the views hide those keys too).
func (m *Model) openDialog(d dialog.Dialog) tea.Cmd {
	if m.c.ReadOnly {
		return failed("read-only: actions are disabled")
	}
	m.dialog = d
	m.sizeDialog()
	return nil
}

// updateDialog passes a key to the dialog and carries out its Action.
func (m *Model) updateDialog(msg tea.Msg) tea.Cmd {
	action, cmd := m.dialog.Update(msg)
	switch a := action.(type) {
	case dialog.Close:
		m.dialog = nil
	case dialog.Replace:
		m.dialog = a.Dialog
		m.sizeDialog()
	case dialog.WriteBack:
		m.dialog = nil
		return tea.Batch(cmd, m.writeBack(a))
	case dialog.Confirmed:
		m.dialog = nil
		return tea.Batch(cmd, m.startOp(a.Op))
	}
	return cmd
}

// startOp records the op and runs it in a Cmd.
func (m *Model) startOp(op ops.Op) tea.Cmd {
	if m.c.ReadOnly {
		return failed("read-only: " + string(op.Kind) + " refused")
	}
	m.lastOp++
	id := m.lastOp
	m.ops[id] = &ops.Status{ID: id, Op: op, Started: m.c.Now()}
	m.notice = nil
	m.log("action", oneLine(op.Describe()), render.ToneNormal)
	return ops.Start(m.ctx, m.be, id, op)
}

// onOp folds an op's progress in and re-arms the wait for the next report.
func (m *Model) onOp(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case ops.Started:
		m.started[msg.ID] = msg
		return ops.Next(msg)
	case ops.ProgressMsg:
		if s, ok := m.ops[msg.ID]; ok {
			if msg.Drain != nil {
				s.Drain = msg.Drain
			} else {
				p := msg.Progress
				s.Progress = &p
			}
		}
		return ops.Next(m.started[msg.ID])
	case ops.Done:
		return m.finishOp(msg)
	}
	return nil
}

func (m *Model) finishOp(msg ops.Done) tea.Cmd {
	delete(m.started, msg.ID)
	s, ok := m.ops[msg.ID]
	if !ok {
		return nil
	}
	delete(m.ops, msg.ID) // done: the notice and the activity log say how it ended
	s.Done, s.Err, s.Verdicts, s.Node = true, msg.Err, msg.Verdicts, msg.Node
	tone, kind := render.ToneOK, "verdict"
	if !s.OK() {
		tone = render.ToneDanger
	}
	if s.Err != nil {
		kind = "error"
	}
	m.log(kind, s.Text(), tone)
	m.notice = &common.Status{Text: s.Line(), Error: !s.OK()}
	if s.OK() {
		m.notice.Text += m.writeBackHint(s.Op)
	}
	if msg.Deploy != nil && msg.Err != nil {
		return m.deployReport(msg.Deploy)
	}
	if s.Op.IsNode() {
		return m.refreshNodes()
	}
	return nil
}

// refreshNodes re-reads every open nodes view, so a node op's new
// availability shows at once rather than at the next timed read.
func (m *Model) refreshNodes() tea.Cmd {
	var cmds []tea.Cmd
	for _, v := range m.views {
		if n, ok := v.comp.(*nodes.Model); ok {
			cmds = append(cmds, n.Refresh())
		}
	}
	return tea.Batch(cmds...)
}

// running are the ops still in flight, oldest first.
func (m *Model) running() []*ops.Status {
	out := make([]*ops.Status, 0, len(m.ops))
	for _, s := range m.ops {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (m *Model) recordEvents(events []swarm.Event) {
	for _, e := range events {
		text := fmt.Sprintf("%s %s %s", e.Type, e.Name, e.Action)
		m.log("event", render.Clean(text), render.ToneMuted)
	}
}

func (m *Model) log(kind, text string, tone render.Tone) {
	m.activity.Add(activity.Entry{At: m.c.Now(), Kind: kind, Text: text, Tone: tone})
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
