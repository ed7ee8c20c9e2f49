package dialog

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/internal/termsafe"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/ops"
)

// Input asks for one value (replicas, an image) and, on enter, hands over
// to a Confirm for the op it builds. It never carries anything out itself.
type Input struct {
	c     *common.Common
	title string
	hint  string
	input textinput.Model
	build func(value string) (ops.Op, error)
	step  func(value string, delta int) string // up/down adjust; nil for none
	err   string
}

// NewScale asks for a replica count: a number, or +n / -n relative to the
// current count; up/down step it by one.
func NewScale(c *common.Common, op ops.Op) *Input {
	from, _ := strconv.ParseUint(op.From, 10, 64)
	in := newInput(c, "Scale "+op.FullName, "replicas: 3, +1 or -1 · ↑/↓ step · enter next · esc cancel", op.From)
	in.build = func(v string) (ops.Op, error) {
		n, err := ParseReplicas(v, from)
		if err != nil {
			return op, err
		}
		if n == from {
			return op, fmt.Errorf("%s already runs %d", op.Service, n)
		}
		op.To = strconv.FormatUint(n, 10)
		return op, nil
	}
	in.step = func(v string, delta int) string {
		n, err := ParseReplicas(v, from)
		if err != nil {
			n = from
		}
		if delta < 0 && n == 0 {
			return "0"
		}
		return strconv.FormatUint(uint64(int64(n)+int64(delta)), 10)
	}
	return in
}

// NewImage asks for a new image, prefilled with the current one.
func NewImage(c *common.Common, op ops.Op) *Input {
	in := newInput(c, "New image for "+op.FullName, "enter next · esc cancel", op.From)
	in.input.CharLimit = 256
	in.build = func(v string) (ops.Op, error) {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			return op, errors.New("give an image, e.g. app:42")
		case strings.ContainsAny(v, " \t"):
			return op, errors.New("an image has no spaces")
		case v == op.From:
			return op, errors.New("that is the current image")
		}
		op.To = v
		return op, nil
	}
	return in
}

func newInput(c *common.Common, title, hint, value string) *Input {
	ti := textinput.New()
	ti.Prompt = "> "
	ti.SetValue(value)
	ti.SetWidth(40)
	ti.CursorEnd()
	ti.Focus()
	return &Input{c: c, title: title, hint: hint, input: ti}
}

// ParseReplicas reads "3", "+1" or "-2" (relative to from).
func ParseReplicas(v string, from uint64) (uint64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, errors.New("give a number of replicas")
	}
	if v[0] == '+' || v[0] == '-' {
		d, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not +N or -N", v)
		}
		if int64(from)+d < 0 {
			return 0, fmt.Errorf("cannot go below 0 replicas")
		}
		return uint64(int64(from) + d), nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number of replicas", v)
	}
	return n, nil
}

// Update edits the value; enter moves on to the confirmation.
func (d *Input) Update(msg tea.Msg) (Action, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			return Close{}, nil
		case "enter":
			op, err := d.build(d.input.Value())
			if err != nil {
				d.err = err.Error()
				return None{}, nil
			}
			return Replace{Dialog: NewConfirm(d.c, op)}, nil
		case "up", "down":
			if d.step != nil {
				delta := 1
				if k.String() == "down" {
					delta = -1
				}
				d.input.SetValue(d.step(d.input.Value(), delta))
				d.input.CursorEnd()
				return None{}, nil
			}
		}
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	d.err = ""
	return None{}, cmd
}

// View draws the box.
func (d *Input) View() string {
	s := d.c.Styles
	lines := []string{s.DialogTitle.Render(termsafe.Clean(d.title)), "", d.input.View(), ""}
	if d.err != "" {
		lines = append(lines, s.Danger.Render(d.err))
	}
	lines = append(lines, s.Muted.Render(d.hint))
	return s.Dialog.Render(strings.Join(lines, "\n"))
}
