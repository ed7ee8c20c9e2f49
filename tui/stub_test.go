package tui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/internal/drive"
)

type stubView struct {
	title string
	panic bool
}

func (s stubView) Init() tea.Cmd                              { return nil }
func (s stubView) Update(tea.Msg) (common.Component, tea.Cmd) { return s, nil }
func (s stubView) SetSize(int, int)                           {}
func (s stubView) ShortHelp() []key.Binding                   { return nil }
func (s stubView) FullHelp() [][]key.Binding                  { return nil }
func (s stubView) Title() string                              { return s.title }
func (s stubView) View() string {
	if s.panic {
		panic("stub view exploded")
	}
	return "stub view"
}

func keyMsg(k string) tea.Msg { return drive.Key(k) }

func quitIn(msgs []tea.Msg) bool {
	for _, m := range msgs {
		if _, ok := m.(tea.QuitMsg); ok {
			return true
		}
	}
	return false
}

func progressFixture() swarm.Progress {
	return swarm.Progress{Service: "web", Running: 2, Desired: 3, UpdateState: "updating", Slots: []swarm.SlotProgress{
		{Slot: 1, Node: "manager-1", State: "running", UpToDate: true},
		{Slot: 2, Node: "manager-1", State: "running", UpToDate: false},
		{Slot: 3, Node: "manager-1", State: "starting", UpToDate: true},
	}}
}
