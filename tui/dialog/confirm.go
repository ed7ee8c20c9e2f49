package dialog

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swarmtop/swarmtop/internal/termsafe"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/keys"
	"github.com/swarmtop/swarmtop/tui/ops"
)

// Grace is how long a fresh confirm dialog ignores keys: keystrokes typed
// ahead (a held j, a double enter) must not confirm a change nobody read.
const Grace = 400 * time.Millisecond

type confirmKeys struct {
	Yes, No, Toggle, Press key.Binding
}

// Confirm states exactly what an op will change and carries it out only on
// an explicit y, or enter while the Confirm button has focus (Cancel has it
// at first).
type Confirm struct {
	c        *common.Common
	op       ops.Op
	title    string
	body     string
	yes      Action // what confirming asks the root to do
	maxBody  int    // body lines shown; the rest are counted
	maxWidth int    // cells per body line
	opened   time.Time
	onButton bool // focus on Confirm rather than Cancel
	keys     confirmKeys
}

// NewConfirm opens a confirmation for op at the common clock's now.
func NewConfirm(c *common.Common, op ops.Op) *Confirm {
	d := NewConfirmAction(c, "Confirm "+string(op.Kind), op.Describe(), Confirmed{Op: op})
	d.op = op
	return d
}

// NewConfirmAction confirms something other than an op (a write to the
// stack file): confirming returns yes.
func NewConfirmAction(c *common.Common, title, body string, yes Action) *Confirm {
	return &Confirm{c: c, title: title, body: body, yes: yes, maxBody: 14, maxWidth: 74, opened: c.Now(), keys: confirmKeys{
		Yes:    keys.New("y", "confirm", "y", "Y"),
		No:     keys.New("n/esc", "cancel", "n", "N", "esc", "q"),
		Toggle: keys.New("tab", "move", "tab", "shift+tab", "left", "right", "h", "l"),
		Press:  keys.New("enter", "press", "enter", "space"),
	}}
}

// Op is the op this dialog confirms.
func (d *Confirm) Op() ops.Op { return d.op }

// Update handles keys once the grace period is over; cancel keys always
// work, since cancelling is never harmful.
func (d *Confirm) Update(msg tea.Msg) (Action, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return None{}, nil
	}
	if key.Matches(k, d.keys.No) {
		return Close{}, nil
	}
	if d.c.Now().Sub(d.opened) < Grace {
		return None{}, nil
	}
	switch {
	case key.Matches(k, d.keys.Yes):
		return d.yes, nil
	case key.Matches(k, d.keys.Toggle):
		d.onButton = !d.onButton
	case key.Matches(k, d.keys.Press):
		if d.onButton {
			return d.yes, nil
		}
		return Close{}, nil
	}
	return None{}, nil
}

// View draws the box.
func (d *Confirm) View() string {
	s := d.c.Styles
	cancel, confirm := "[ Cancel ]", "[ Confirm ]"
	if d.onButton {
		confirm = s.Selected.Render(confirm)
	} else {
		cancel = s.Selected.Render(cancel)
	}
	body := []string{
		s.DialogTitle.Render(termsafe.Clean(d.title)),
		"",
		d.bodyText(),
		"",
		cancel + "  " + confirm,
		"",
		s.Muted.Render("y confirm · n/esc cancel · tab move"),
	}
	return s.Dialog.Render(strings.Join(body, "\n"))
}

// SetSize bounds the body to the screen: a long plan is cut with a count
// of the lines left out.
func (d *Confirm) SetSize(w, h int) {
	d.maxBody = max(h-12, 3)
	d.maxWidth = max(w-8, 20)
}

// bodyText is the body cut to the screen, each line cleaned: it names
// services, images and node hostnames as the engine reports them.
func (d *Confirm) bodyText() string {
	lines := strings.Split(d.body, "\n")
	if len(lines) > d.maxBody {
		more := len(lines) - d.maxBody + 1
		lines = append(lines[:d.maxBody-1], fmt.Sprintf("… %d more lines", more))
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(termsafe.Clean(l), d.maxWidth, "…")
	}
	return strings.Join(lines, "\n")
}
