package scroll

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/tui/keys"
)

func TestStep(t *testing.T) {
	const page, all = 9, 40
	tests := []struct {
		name   string
		msg    tea.KeyPressMsg
		want   int
		wantOK bool
	}{
		{"up", tea.KeyPressMsg{Code: tea.KeyUp}, -1, true},
		{"k", tea.KeyPressMsg{Code: 'k', Text: "k"}, -1, true},
		{"down", tea.KeyPressMsg{Code: tea.KeyDown}, 1, true},
		{"j", tea.KeyPressMsg{Code: 'j', Text: "j"}, 1, true},
		{"pgup", tea.KeyPressMsg{Code: tea.KeyPgUp}, -page, true},
		{"ctrl+u", tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl}, -page, true},
		{"pgdown", tea.KeyPressMsg{Code: tea.KeyPgDown}, page, true},
		{"ctrl+d", tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl}, page, true},
		{"home", tea.KeyPressMsg{Code: tea.KeyHome}, -all, true},
		{"g", tea.KeyPressMsg{Code: 'g', Text: "g"}, -all, true},
		{"end", tea.KeyPressMsg{Code: tea.KeyEnd}, all, true},
		{"G", tea.KeyPressMsg{Code: 'G', Text: "G"}, all, true},
		{"filter is not a move", tea.KeyPressMsg{Code: '/', Text: "/"}, 0, false},
		{"enter is not a move", tea.KeyPressMsg{Code: tea.KeyEnter}, 0, false},
	}
	nav := keys.NewNav()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ok := Step(nav, tt.msg, page, all)
			if n != tt.want || ok != tt.wantOK {
				t.Errorf("Step(%q) = %d, %v; want %d, %v", tt.msg.String(), n, ok, tt.want, tt.wantOK)
			}
		})
	}
}
