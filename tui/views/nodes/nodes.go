// Package nodes is the nodes view: every node of the swarm, re-read every
// few seconds.
package nodes

import (
	"context"
	"strconv"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/dialog"
	"github.com/swarmtop/swarmtop/tui/ops"
	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/views/listview"
)

// Interval between reads: nodes change rarely.
const Interval = 5 * time.Second

// Lister is what the view needs; *swarm.Engine satisfies it.
type Lister interface {
	Nodes(ctx context.Context) ([]swarm.Node, error)
}

// Model is the nodes view. The base reads the nodes into Items and shows
// them; this file adds the node ops and the totals line.
type Model struct {
	listview.Base[swarm.Node]
	acts actionKeys
}

// New builds the view; it reads in Init.
func New(ctx context.Context, c *common.Common, id common.ViewID, be Lister) *Model {
	return &Model{
		Base: listview.New(ctx, c, id, listview.Config[swarm.Node]{
			Title: "nodes", Header: render.NodeHeader(), Empty: "no nodes",
			Interval: Interval, List: be.Nodes, Row: render.NodeRow,
		}),
		acts: newActionKeys(c.ReadOnly),
	}
}

func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.Nav.Up, m.Nav.Down, m.acts.Drain, m.acts.Pause, m.acts.Activate, m.Nav.Filter}
}
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{m.Nav.Bindings(), m.acts.bindings()}
}

// Update passes keys to key and everything else to the base.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	return m, m.Base.Update(msg, m.key)
}

// key asks for a node op, or else moves in the table. A filter being typed
// gets every key: it types p and a.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if kind, ok := m.acts.match(msg); ok && !m.Table.Filtering() {
		return m.ask(kind)
	}
	_, cmd := m.Table.Update(msg)
	return cmd
}

// ask opens the confirmation of a node op on the selected node.
func (m *Model) ask(kind ops.Kind) tea.Cmd {
	i := m.Table.Selected()
	if i < 0 || i >= len(m.Items) {
		return nil
	}
	return dialog.ForNode(m.Common, kind, m.Items, m.Items[i])
}

// View renders the table and a line of totals or the last error.
func (m *Model) View() string { return m.Base.View(totals(m.Items)) }

func totals(nodes []swarm.Node) string {
	managers, ready, active := 0, 0, 0
	for _, n := range nodes {
		if n.Role == "manager" {
			managers++
		}
		if n.Status == "ready" {
			ready++
		}
		if n.Availability == "active" {
			active++
		}
	}
	return render.Plural(len(nodes), "node") + " · " + render.Plural(managers, "manager") + " · " +
		strconv.Itoa(ready) + " ready · " + strconv.Itoa(active) + " active"
}
