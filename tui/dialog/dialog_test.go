package dialog

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/internal/drive"
	"github.com/swarmtop/swarmtop/tui/ops"
	"github.com/swarmtop/swarmtop/tui/styles"
)

func press(s string) tea.KeyPressMsg { return drive.Key(s) }

func newCommon(now *time.Time) *common.Common {
	return &common.Common{Styles: styles.New(true, true), Clock: func() time.Time { return *now }}
}

var scaleOp = ops.Op{Kind: ops.Scale, Stack: "shop", Service: "web", FullName: "shop_web", From: "2"}

func TestConfirmGraceAndButtons(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	op := scaleOp
	op.To = "3"
	d := NewConfirm(newCommon(&now), op)
	if !strings.Contains(ansi.Strip(d.View()), "Scale shop_web 2 → 3") {
		t.Fatalf("dialog does not say what changes:\n%s", ansi.Strip(d.View()))
	}
	for _, k := range []string{"y", "tab", "enter"} {
		if a, _ := d.Update(press(k)); a != (None{}) {
			t.Fatalf("%s inside the grace period gave %#v", k, a)
		}
	}
	now = now.Add(Grace)
	if a, _ := d.Update(press("enter")); a != (Close{}) {
		t.Fatalf("enter on Cancel gave %#v", a)
	}
	d = NewConfirm(newCommon(&now), op)
	now = now.Add(Grace)
	d.Update(press("tab"))
	if a, _ := d.Update(press("enter")); a != (Confirmed{Op: op}) {
		t.Fatalf("enter on Confirm gave %#v", a)
	}
	if a, _ := NewConfirm(newCommon(&now), op).Update(press("esc")); a != (Close{}) {
		t.Fatal("esc does not cancel at once")
	}
}

func TestScaleInput(t *testing.T) {
	now := time.Now()
	d := NewScale(newCommon(&now), scaleOp)
	d.Update(press("up"))
	a, _ := d.Update(press("enter"))
	r, ok := a.(Replace)
	if !ok || r.Dialog.(*Confirm).Op().To != "3" {
		t.Fatalf("up, enter gave %#v", a)
	}
	d = NewScale(newCommon(&now), scaleOp)
	if a, _ := d.Update(press("enter")); a != (None{}) || !strings.Contains(ansi.Strip(d.View()), "already runs 2") {
		t.Fatalf("no-op scale accepted: %#v", a)
	}
}

func TestParseReplicas(t *testing.T) {
	for in, want := range map[string]uint64{"3": 3, "+2": 4, "-1": 1, " 0 ": 0} {
		if got, err := ParseReplicas(in, 2); err != nil || got != want {
			t.Errorf("ParseReplicas(%q) = %d, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "-3", "x", "+"} {
		if _, err := ParseReplicas(bad, 2); err == nil {
			t.Errorf("ParseReplicas(%q) accepted", bad)
		}
	}
}

// A value chosen in an input still needs the confirmation's own deliberate
// key: the enter that left the input, typed ahead, confirms nothing.
func TestInputLeadsToAGuardedConfirm(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	d := NewScale(newCommon(&now), scaleOp)
	d.Update(press("down"))
	a, _ := d.Update(press("enter"))
	r, ok := a.(Replace)
	if !ok {
		t.Fatalf("down, enter gave %#v", a)
	}
	confirm := r.Dialog.(*Confirm)
	if to := confirm.Op().To; to != "1" {
		t.Fatalf("down from 2 gave %q", to)
	}
	for _, k := range []string{"enter", "y"} {
		if a, _ := confirm.Update(press(k)); a != (None{}) {
			t.Fatalf("%s typed ahead into the confirm gave %#v", k, a)
		}
	}
	now = now.Add(Grace)
	if a, _ := confirm.Update(press("y")); a != (Confirmed{Op: confirm.Op()}) {
		t.Fatalf("y after the grace period gave %#v", a)
	}
}

// Names in a confirmation come from the engine: a node's hostname with
// control sequences must not reach the terminal.
func TestConfirmCleansWhatItShows(t *testing.T) {
	now := time.Now()
	c := newCommon(&now)
	target := swarm.Node{ID: "n1", Hostname: "evil\x1b]2;pwned\x07\x1b[2Jhost", Availability: swarm.AvailabilityActive, Tasks: 2}
	msg := ForNode(c, ops.NodeDrain, []swarm.Node{target}, target)()
	open, ok := msg.(OpenMsg)
	if !ok {
		t.Fatalf("ForNode gave %#v", msg)
	}
	view := open.Dialog.View()
	if strings.Contains(view, "\x07") || strings.Contains(view, "]2;") || strings.Contains(view, "[2J") {
		t.Errorf("control sequences shown: %q", view)
	}
	if !strings.Contains(ansi.Strip(view), "Drain node evilhost") {
		t.Errorf("hostname not shown cleaned:\n%s", ansi.Strip(view))
	}
	title := NewConfirmAction(c, "Confirm \x1b[31mred", "body", Close{}).View()
	if strings.Contains(title, "\x1b[31m") {
		t.Errorf("title not cleaned: %q", title)
	}
}
