package tui

import (
	"context"
	"fmt"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/stackfile"
	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/cmdline"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/dialog"
	"github.com/swarmtop/swarmtop/tui/keys"
	"github.com/swarmtop/swarmtop/tui/live"
	"github.com/swarmtop/swarmtop/tui/ops"
	"github.com/swarmtop/swarmtop/tui/styles"
	"github.com/swarmtop/swarmtop/tui/views/activity"
)

// Options configure the UI.
type Options struct {
	Stack    string // open this stack; "" shows the stacks list
	ReadOnly bool   // hide and refuse every action
	NoColor  bool   // NO_COLOR: no colours, only bold and reverse
	Clock    common.Clock
	AuditLog string // the audit log the activity view reads; "" for none
	// Logs builds the logs view; nil while it is not wired.
	Logs func(c *common.Common, stack string, services []string) common.Component
	// Inspect builds the inspect view; nil while it is not wired.
	Inspect func(c *common.Common, svc swarm.Service) common.Component
	// File is the stack loaded from the -c files, nil without them: its
	// stack's view shows drift, and diff, deploy and write-back work.
	File *stackfile.Stack
	// LoadFile loads the files again (after a write-back).
	LoadFile func(ctx context.Context) (*stackfile.Stack, error)
}

// view is one entry of the view stack.
type view struct {
	id   common.ViewID
	comp common.Component
}

// Model is the root. It only routes: global keys, tagged async results to
// the view that asked, the view stack, the dialog overlay, the command line
// and the operations in flight.
type Model struct {
	c      *common.Common
	be     Backend
	opts   Options
	ctx    context.Context
	cancel context.CancelFunc
	keys   keys.Global
	help   help.Model

	views    []view
	nextID   int
	dialog   dialog.Dialog
	cmdline  *cmdline.Model
	showHelp bool

	ops      map[int]*ops.Status // in flight: finishOp drops an op once done
	started  map[int]ops.Started
	lastOp   int
	notice   *common.Status
	activity *activity.Log
	file     *stackfile.Stack // the -c files, reloaded after a write-back

	width, height int
}

// New builds the root. ctx bounds every watch and operation.
func New(ctx context.Context, be Backend, opts Options) *Model {
	ctx, cancel := context.WithCancel(ctx)
	c := &common.Common{Styles: styles.New(true, opts.NoColor), ReadOnly: opts.ReadOnly, Clock: opts.Clock, AuditLog: opts.AuditLog}
	m := &Model{c: c, be: be, opts: opts, ctx: ctx, cancel: cancel, keys: keys.NewGlobal(),
		help: help.New(), ops: map[int]*ops.Status{}, started: map[int]ops.Started{},
		activity: &activity.Log{}, file: opts.File, width: 80, height: 24}
	m.applyHelpStyles()
	if opts.Stack != "" {
		m.push(m.newStack(opts.Stack))
	} else {
		m.push(m.newStacks())
	}
	return m
}

// Init starts the first view and asks the terminal for its background.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.views[0].comp.Init())
}

// Update routes one message. Each kind has its own handler; none does I/O.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case tea.BackgroundColorMsg:
		m.setStyles(msg.IsDark())
		return m, nil
	case common.Tagged:
		return m, m.routeTagged(msg)
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	case tea.MouseMsg:
		return m, m.onMouse(msg)
	case dialog.OpenMsg:
		return m, m.openDialog(msg.Dialog)
	case cmdline.Submit:
		m.cmdline = nil
		return m, m.runCommand(msg.Command)
	case cmdline.Cancel:
		m.cmdline = nil
		return m, nil
	case ops.Started, ops.ProgressMsg, ops.Done:
		return m, m.onOp(msg)
	case common.Status:
		m.notice = &msg
		return m, nil
	case common.Events:
		m.recordEvents(msg.Events)
		return m, nil
	}
	if cmd, ok := m.navigate(msg); ok {
		return m, cmd
	}
	if cmd, ok := m.onFileMsg(msg); ok {
		return m, cmd
	}
	return m, m.updateActive(msg)
}

// routeTagged delivers an async result to the view that asked for it; a
// result for a closed view is dropped.
func (m *Model) routeTagged(t common.Tagged) tea.Cmd {
	for i := range m.views {
		if m.views[i].id == t.View {
			var cmd tea.Cmd
			m.views[i].comp, cmd = m.views[i].comp.Update(t.Msg)
			if u, ok := t.Msg.(live.Msg); ok && i == m.watchOf(m.stackOf(i)) {
				cmd = tea.Batch(cmd, m.shareWatch(i, u))
			}
			return cmd
		}
	}
	return nil
}

// Views that take part in sharing a watch.
type (
	// watching views run a live watch of the stack they show.
	watching interface{ WatchedStack() string }
	// sharing views live on another view's watch (tasks.ShareWatch).
	sharing interface {
		Stack() string
		SharesWatch() bool
	}
)

// watchOf is the index of the lowest open view that watches stack, or -1.
func (m *Model) watchOf(stack string) int {
	for i, v := range m.views {
		if w, ok := v.comp.(watching); ok && stack != "" && w.WatchedStack() == stack {
			return i
		}
	}
	return -1
}

// stackOf is the stack view i watches, if it watches one.
func (m *Model) stackOf(i int) string {
	if w, ok := m.views[i].comp.(watching); ok {
		return w.WatchedStack()
	}
	return ""
}

// shareWatch hands an update of view i's watch to the views above it that
// share it.
func (m *Model) shareWatch(i int, u live.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for j := i + 1; j < len(m.views); j++ {
		if s, ok := m.views[j].comp.(sharing); ok && s.SharesWatch() && s.Stack() == m.stackOf(i) {
			var cmd tea.Cmd
			m.views[j].comp, cmd = m.views[j].comp.Update(live.Shared{Msg: u})
			cmds = append(cmds, cmd)
		}
	}
	return tea.Batch(cmds...)
}

func (m *Model) active() common.Component { return m.views[len(m.views)-1].comp }

func (m *Model) updateActive(msg tea.Msg) tea.Cmd {
	top := &m.views[len(m.views)-1]
	var cmd tea.Cmd
	top.comp, cmd = top.comp.Update(msg)
	return cmd
}

// onKey: ctrl+c always quits; then the dialog, the command line and the
// help screen, when open, take every key; a view typing a filter gets
// its keys; only then the global keys and the view's own.
func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.ForceQuit):
		return m.quit()
	case m.dialog != nil:
		return m.updateDialog(msg)
	case m.cmdline != nil:
		cl, cmd := m.cmdline.Update(msg)
		m.cmdline = &cl
		return cmd
	case m.showHelp:
		if key.Matches(msg, m.keys.Help, m.keys.Back, m.keys.Quit) {
			m.showHelp = false
		}
		return nil
	}
	if c, ok := m.active().(capturer); ok && c.Capturing() {
		return m.updateActive(msg)
	}
	return m.globalKey(msg)
}

func (m *Model) globalKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Help):
		m.showHelp = true
	case key.Matches(msg, m.keys.Command):
		m.openCommandLine()
	case key.Matches(msg, m.keys.Back):
		m.notice = nil
		if b, ok := m.active().(backHandler); ok && b.HandleBack() {
			return nil
		}
		return m.pop()
	case key.Matches(msg, m.keys.Quit):
		if len(m.views) == 1 {
			return m.quit()
		}
		return m.pop()
	default:
		return m.updateActive(msg)
	}
	return nil
}

func (m *Model) quit() tea.Cmd {
	for _, v := range m.views {
		closeView(v.comp) // the process ends: nothing to wait for
	}
	m.cancel()
	return tea.Quit
}

// onMouse hands the mouse to the active view with Y made relative to the
// view's area (below the header line). Dialogs and overlays ignore it.
func (m *Model) onMouse(msg tea.MouseMsg) tea.Cmd {
	if m.dialog != nil || m.cmdline != nil || m.showHelp {
		return nil
	}
	mouse := msg.Mouse()
	mouse.Y -= headerLines
	switch msg.(type) {
	case tea.MouseClickMsg:
		return m.updateActive(tea.MouseClickMsg(mouse))
	case tea.MouseWheelMsg:
		return m.updateActive(tea.MouseWheelMsg(mouse))
	}
	return nil
}

func (m *Model) resize(w, h int) {
	m.width, m.height = w, h
	for _, v := range m.views {
		v.comp.SetSize(w, m.bodyHeight())
	}
	if m.cmdline != nil {
		m.cmdline.SetWidth(w)
	}
	m.sizeDialog()
}

// sizeDialog tells a dialog that cares how much room there is.
func (m *Model) sizeDialog() {
	if d, ok := m.dialog.(interface{ SetSize(w, h int) }); ok {
		d.SetSize(m.width, m.height)
	}
}

func (m *Model) bodyHeight() int { return max(m.height-headerLines-footerLines, 1) }

// setStyles rebuilds the styles in place, so every component sharing
// Common sees the new ones on its next render.
func (m *Model) setStyles(dark bool) {
	*m.c.Styles = *styles.New(dark, m.opts.NoColor)
	m.applyHelpStyles()
}

func (m *Model) applyHelpStyles() {
	s := m.c.Styles
	m.help.Styles = help.Styles{
		Ellipsis: s.Muted, ShortKey: s.Title, ShortDesc: s.Muted, ShortSeparator: s.Subtle,
		FullKey: s.Title, FullDesc: s.Row, FullSeparator: s.Subtle,
	}
}

// newID names a new view so its async results find it.
func (m *Model) newID() common.ViewID {
	m.nextID++
	return common.ViewID(fmt.Sprintf("v%d", m.nextID))
}

// Optional view behaviours the root looks for.
type (
	capturer    interface{ Capturing() bool }
	backHandler interface{ HandleBack() bool }
	closer      interface{ Close() tea.Cmd }
	titled      interface{ Title() string }
)

// closeView ends what a view runs (its watch, its stream); what must wait,
// like a stream's goroutines, comes back as a command.
func closeView(c common.Component) tea.Cmd {
	if cl, ok := c.(closer); ok {
		return cl.Close()
	}
	return nil
}
