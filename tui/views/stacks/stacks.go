// Package stacks lists the stacks on the swarm; enter opens one.
package stacks

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/keys"
	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/views/listview"
)

// Interval between reads.
const Interval = 3 * time.Second

// Model is the stacks view. The base reads the stacks into Items and shows
// them; this file adds the key that opens one.
type Model struct {
	listview.Base[swarm.StackSummary]
	open key.Binding
}

// Lister is what New needs; *swarm.Engine satisfies it.
type Lister interface {
	Stacks(ctx context.Context) ([]swarm.StackSummary, error)
}

// New builds the view; it reads in Init.
func New(ctx context.Context, c *common.Common, id common.ViewID, be Lister) *Model {
	return &Model{
		Base: listview.New(ctx, c, id, listview.Config[swarm.StackSummary]{
			Title: "stacks", Header: render.StackHeader(),
			Empty:    "no stacks on this swarm (deploy one with swarmtop deploy)",
			Interval: Interval, List: be.Stacks, Row: render.StackRow,
		}),
		open: keys.New("enter", "open stack", "enter"),
	}
}

func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.open, m.Nav.Up, m.Nav.Down, m.Nav.Filter}
}
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{{m.open}, m.Nav.Bindings()} }

// StackNames are the stacks as last read, for completion.
func (m *Model) StackNames() []string {
	out := make([]string, len(m.Items))
	for i, s := range m.Items {
		out[i] = s.Name
	}
	return out
}

// Update passes keys to key and everything else to the base.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	return m, m.Base.Update(msg, m.key)
}

// key moves in the table; enter, which the table leaves alone, opens the
// selected stack.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if handled, cmd := m.Table.Update(msg); handled {
		return cmd
	}
	if i := m.Table.Selected(); i >= 0 && key.Matches(msg, m.open) {
		return common.Send(common.OpenStack{Name: m.Items[i].Name})
	}
	return nil
}

// View renders the table and a hint line or the last error.
func (m *Model) View() string {
	return m.Base.View("enter opens a stack · :nodes for the nodes")
}
