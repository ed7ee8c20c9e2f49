package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/swarmtop/swarmtop/tui/internal/drive"
	"github.com/swarmtop/swarmtop/tui/internal/fakebe"
)

// harness drives the root model against the fake backend at a fixed,
// movable clock.
type harness struct {
	t   *testing.T
	m   *Model
	be  *fakebe.Backend
	now time.Time
}

func newHarness(t *testing.T, opts Options, w, h int) *harness {
	return newHarnessWith(t, fakebe.New(), opts, w, h)
}

func newHarnessWith(t *testing.T, be *fakebe.Backend, opts Options, w, h int) *harness {
	t.Helper()
	return newHarnessOn(t, be, be, opts, w, h)
}

// newHarnessOn drives the model against api, a backend that wraps fake to
// change some of its answers.
func newHarnessOn(t *testing.T, api Backend, fake *fakebe.Backend, opts Options, w, h int) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	hs := &harness{t: t, be: fake, now: fakebe.Now}
	opts.Clock = func() time.Time { return hs.now }
	hs.m = New(ctx, api, opts)
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	drive.Run(hs.update, hs.m.Init())
	return hs
}

func (h *harness) update(msg tea.Msg) tea.Cmd {
	_, cmd := h.m.Update(msg)
	return cmd
}

func (h *harness) send(msgs ...tea.Msg) []tea.Msg { return drive.Send(h.update, msgs...) }

func (h *harness) keys(keys ...string) []tea.Msg {
	var seen []tea.Msg
	for _, k := range keys {
		seen = append(seen, h.send(drive.Key(k))...)
	}
	return seen
}

func (h *harness) typeText(s string) { h.send(drive.Type(s)...) }

// later moves the clock past a dialog's grace period.
func (h *harness) later() { h.now = h.now.Add(time.Second) }

func (h *harness) screen() string { return ansi.Strip(h.m.frame()) }

func (h *harness) golden() {
	h.t.Helper()
	golden.RequireEqual(h.t, []byte(h.screen()))
}

func (h *harness) wantScreen(parts ...string) {
	h.t.Helper()
	s := h.screen()
	for _, p := range parts {
		if !strings.Contains(s, p) {
			h.t.Fatalf("screen lacks %q:\n%s", p, s)
		}
	}
}

func (h *harness) notScreen(parts ...string) {
	h.t.Helper()
	s := h.screen()
	for _, p := range parts {
		if strings.Contains(s, p) {
			h.t.Fatalf("screen has %q:\n%s", p, s)
		}
	}
}

// size is a terminal size, named for its subtest.
type size struct {
	name string
	w, h int
}

// sizes are the terminal sizes every view is golden-tested at.
var sizes = []size{{"80x24", 80, 24}, {"120x40", 120, 40}}

// forSizes runs test at each of sizes, as a subtest named by the size (the
// name the golden file is found by).
func forSizes(t *testing.T, test func(t *testing.T, sz size)) {
	t.Helper()
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) { test(t, sz) })
	}
}
