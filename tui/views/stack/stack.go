// Package stack is the stack view: the services of one stack, live, with
// the selected service's tasks below and a one-line summary above.
package stack

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swarmtop/swarmtop/stackfile"
	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/dialog"
	"github.com/swarmtop/swarmtop/tui/drift"
	"github.com/swarmtop/swarmtop/tui/live"
	"github.com/swarmtop/swarmtop/tui/ops"
	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/table"
)

// detailLines is how many lines the full text of the selection gets.
const detailLines = 2

// Model is the stack view.
type Model struct {
	c      *common.Common
	id     common.ViewID
	be     live.Watcher
	name   string
	ctx    context.Context
	cancel context.CancelFunc

	state    live.State
	services table.Model
	tasks    table.Model
	shown    []swarm.Task // the tasks pane's rows, in order
	ages     common.AgeTimer
	spinner  spinner.Model
	keys     keyMap
	drift    *drift.Tracker // nil unless opened with the stack file
	width    int
	height   int
}

// New builds the view of stack; it starts watching in Init. ctx bounds
// the watch, which also ends on Close.
func New(ctx context.Context, c *common.Common, id common.ViewID, be live.Watcher, name string) *Model {
	ctx, cancel := context.WithCancel(ctx)
	m := &Model{c: c, id: id, be: be, name: name, ctx: ctx, cancel: cancel,
		services: table.New(c, render.ServiceHeader()),
		tasks:    table.New(c, render.TaskHeader()),
		spinner:  spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		keys:     newKeys(c.ReadOnly),
	}
	m.services.SetEmpty("no services in stack " + name)
	m.tasks.SetEmpty("no tasks")
	m.tasks.Blur()
	return m
}

// WithFile compares the stack with its stack file from now on: the
// services table gains the file's counts and a drift column, and the
// file's keys are enabled. The first diff runs on the first snapshot.
func (m *Model) WithFile(be drift.Differ, st *stackfile.Stack) *Model {
	m.drift = drift.New(m.ctx, be, st, m.c.Now)
	m.services.SetColumns(render.ServiceDriftHeader())
	m.keys.File = newFileKeys(m.c.ReadOnly, true)
	return m
}

// ReloadFile compares with a reloaded stack file at once.
func (m *Model) ReloadFile(st *stackfile.Stack) tea.Cmd {
	if m.drift == nil {
		return nil
	}
	return common.Tag(m.id, m.drift.SetFile(st))
}

// Title names the view in the header.
func (m *Model) Title() string { return m.name }

// Stack is the stack this view shows.
func (m *Model) Stack() string { return m.name }

// WatchedStack is the stack the view's live watch follows: views opened
// over it share that watch rather than start their own.
func (m *Model) WatchedStack() string { return m.name }

// Services are the stack's services as last read, for commands and
// completion.
func (m *Model) Services() []swarm.Service { return m.state.Snapshot.Services }

// Close stops the watch.
func (m *Model) Close() tea.Cmd { m.cancel(); return nil }

// Init starts the watch and the spinner.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(common.Tag(m.id, live.Start(m.ctx, m.be, m.name)), common.Tag(m.id, m.spinner.Tick))
}

// Update handles the watch, keys and the mouse, then keeps the shown
// tasks' ages ticking.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	cmd := m.update(msg)
	return m, tea.Batch(cmd, m.ages.FollowTasks(m.id, m.c.Now(), m.shown))
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case live.Msg:
		return m.onWatch(msg)
	case common.AgesDue:
		if m.ages.Due(msg) {
			m.refreshTasks()
		}
		return nil
	case drift.Result, drift.Due:
		return m.onDrift(msg)
	case spinner.TickMsg:
		if m.state.Loaded {
			return nil // stop ticking once there is data: no idle redraws over SSH
		}
		var cmd tea.Cmd
		m.spinner, cmd = m.spinner.Update(msg)
		return common.Tag(m.id, cmd)
	case tea.KeyPressMsg:
		return m.onKey(msg)
	case tea.MouseClickMsg:
		m.onClick(msg.Mouse().Y)
		return nil
	case tea.MouseWheelMsg:
		_, cmd := m.active().Update(msg)
		m.refreshTasks()
		return cmd
	}
	return nil
}

func (m *Model) onWatch(msg live.Msg) tea.Cmd {
	if msg.Closed {
		return nil
	}
	m.state.Apply(msg)
	m.refresh()
	cmds := []tea.Cmd{common.Tag(m.id, live.Next(msg))}
	if m.drift != nil {
		cmds = append(cmds, common.Tag(m.id, m.drift.Request()))
	}
	if evs := msg.Update.Events; len(evs) > 0 {
		cmds = append(cmds, common.Send(common.Events{Events: evs}))
	}
	return tea.Batch(cmds...)
}

// onDrift folds a diff in (or runs a postponed one).
func (m *Model) onDrift(msg tea.Msg) tea.Cmd {
	if m.drift == nil {
		return nil
	}
	cmd := m.drift.Update(msg)
	if _, ok := msg.(drift.Result); ok && m.state.Loaded {
		m.refresh()
	}
	return common.Tag(m.id, cmd)
}

// refresh rebuilds both tables from the snapshot, then splits the height
// again: the services' count sets the split, and only a refresh changes it.
func (m *Model) refresh() {
	m.services.SetRows(m.serviceRows())
	m.refreshTasks()
	m.SetSize(m.width, m.height)
}

// serviceRows are the live services, then, with a stack file, the
// services it declares that are not deployed.
func (m *Model) serviceRows() []render.Row {
	rows := make([]render.Row, 0, len(m.state.Snapshot.Services))
	for _, s := range m.state.Snapshot.Services {
		if m.drift == nil {
			rows = append(rows, render.ServiceRow(s))
			continue
		}
		var d *swarm.Drift
		if dr, ok := m.drift.For(s.Name); ok {
			d = &dr
		}
		rows = append(rows, render.ServiceDriftRow(s, d))
	}
	if m.drift != nil {
		for _, d := range m.drift.Missing() {
			rows = append(rows, render.MissingRow(d.Service))
		}
	}
	return rows
}

func (m *Model) refreshTasks() {
	svc, ok := m.selectedService()
	if !ok {
		m.shown = nil
		m.tasks.SetRows(nil)
		return
	}
	tasks, restarts := render.SlotTasks(m.state.Snapshot.Tasks, svc.ID, false)
	m.shown = tasks
	m.tasks.SetRows(render.TaskRows(tasks, restarts, m.c.Now()))
}

func (m *Model) selectedService() (swarm.Service, bool) {
	i := m.services.Selected()
	if i < 0 || i >= len(m.state.Snapshot.Services) {
		return swarm.Service{}, false
	}
	return m.state.Snapshot.Services[i], true
}

func (m *Model) active() *table.Model {
	if m.tasks.Focused() {
		return &m.tasks
	}
	return &m.services
}

// Capturing: a filter is being typed, so global keys must not fire.
func (m *Model) Capturing() bool { return m.active().Filtering() }

// HandleBack clears a kept filter before esc leaves the view.
func (m *Model) HandleBack() bool { return m.active().ClearFilter() }

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	if handled, cmd := m.active().Update(msg); handled {
		m.refreshTasks()
		return cmd
	}
	if key.Matches(msg, m.keys.Tab) {
		m.toggleFocus()
		return nil
	}
	if cmd, ok := m.stackKey(msg); ok {
		return cmd
	}
	svc, ok := m.selectedService()
	if !ok {
		return nil
	}
	return m.serviceKey(msg, svc)
}

func (m *Model) toggleFocus() {
	if m.tasks.Focused() {
		m.tasks.Blur()
		m.services.Focus()
	} else {
		m.services.Blur()
		m.tasks.Focus()
	}
}

// stackKey maps the keys that act on the whole stack or its file.
func (m *Model) stackKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	f := m.keys.File
	switch {
	case key.Matches(msg, f.Diff):
		return common.Send(common.OpenDiff{}), true
	case key.Matches(msg, f.Deploy):
		return common.Send(common.AskDeploy{}), true
	case key.Matches(msg, f.Release):
		services := append([]swarm.Service(nil), m.state.Snapshot.Services...)
		return common.Send(common.AskRelease{Stack: m.name, Services: services}), true
	}
	return nil, false
}

// serviceKey maps the action keys on the selected service to requests for
// the root: views never act themselves.
func (m *Model) serviceKey(msg tea.KeyPressMsg, svc swarm.Service) tea.Cmd {
	a := m.keys.Actions
	switch {
	case key.Matches(msg, m.keys.Open):
		return common.Send(common.OpenTasks{Stack: m.name, Service: svc})
	case key.Matches(msg, a.Logs):
		return common.Send(common.OpenLogs{Stack: m.name, Services: []string{svc.Name}})
	case key.Matches(msg, a.Inspect):
		return common.Send(common.OpenInspect{Service: svc})
	case key.Matches(msg, a.Scale):
		return dialog.For(m.c, ops.Scale, m.name, svc)
	case key.Matches(msg, a.Restart):
		return dialog.For(m.c, ops.Restart, m.name, svc)
	case key.Matches(msg, a.Rollback):
		return dialog.For(m.c, ops.Rollback, m.name, svc)
	case key.Matches(msg, a.Image):
		return dialog.For(m.c, ops.Image, m.name, svc)
	case key.Matches(msg, m.keys.File.WriteBack):
		return common.Send(common.AskWriteBack{Service: svc})
	}
	return nil
}

// onClick selects the row under the pointer and focuses its pane; y is
// relative to the view's top line.
func (m *Model) onClick(y int) {
	svcTop := 1
	svcH, _ := m.heights()
	tasksTop := svcTop + svcH + 1
	switch {
	case y >= svcTop && y < svcTop+svcH:
		if m.services.Click(y - svcTop) {
			m.tasks.Blur()
			m.services.Focus()
			m.refreshTasks()
		}
	case y >= tasksTop:
		if m.tasks.Click(y - tasksTop) {
			m.services.Blur()
			m.tasks.Focus()
		}
	}
}

// SetSize lays the panes out: the services get the rows they need, up to
// about half; the tasks get the rest.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	svcH, tasksH := m.heights()
	m.services.SetSize(w, svcH)
	m.tasks.SetSize(w, tasksH)
}

// heights splits the height between the services and tasks tables, after
// the summary, the tasks title and the detail lines.
func (m *Model) heights() (services, tasks int) {
	avail := max(m.height-2-detailLines, 2)
	want := max(m.rowCount()+1, 3)
	services = min(want, max(avail*55/100, 3))
	if services > avail-2 {
		services = max(avail/2, 1)
	}
	return services, avail - services
}

// View renders the summary, the two panes and the detail lines.
func (m *Model) View() string {
	if !m.state.Loaded {
		return m.loadingView()
	}
	lines := []string{
		m.summary(),
		m.services.View(),
		m.tasksTitle(),
		m.tasks.View(),
		m.detail(),
	}
	return strings.Join(lines, "\n")
}

func (m *Model) loadingView() string {
	s := m.c.Styles
	lines := []string{table.Pad(m.spinner.View()+" reading stack "+m.name+"…", m.width)}
	if m.state.Err != "" {
		lines = append(lines, s.Danger.Render(table.Pad("last error: "+m.state.Err, m.width)))
	}
	for len(lines) < m.height {
		lines = append(lines, "")
	}
	return strings.Join(lines[:max(m.height, 0)], "\n")
}

// summary is "4/5 services converged · 1 task failing · 1 node", then
// "● live" or what is wrong with the connection. When that does not fit,
// the drift count loses its "from file", then the counts their nouns
// ("4/5 converged · 1 failing · 1 node"), before anything is cut off.
func (m *Model) summary() string {
	s := m.c.Styles
	snap := m.state.Snapshot
	converged := 0
	for _, svc := range snap.Services {
		if svc.Converged {
			converged++
		}
	}
	failing := 0
	for _, t := range snap.Tasks {
		if t.Current && (t.Failed || t.Health >= swarm.HealthUnhealthy) {
			failing++
		}
	}
	style := s.OK
	if failing > 0 {
		style = s.Danger
	} else if converged < len(snap.Services) {
		style = s.Warning
	}
	conn := s.OK.Render("● live")
	switch {
	case m.state.Disconnected:
		conn = s.Danger.Render("○ " + m.state.ConnText(m.c.Now()))
	case m.state.Err != "":
		conn = s.Danger.Render("! " + m.state.Err)
	}
	var text string
	for _, short := range []summaryLength{full, shortDrift, shortAll} {
		text = m.counts(converged, len(snap.Services), failing, short)
		if ansi.StringWidth(text)+2+ansi.StringWidth(conn) <= m.width {
			break
		}
	}
	if m.state.Disconnected || m.state.Err != "" {
		// Losing the engine matters more than the counts: say it first
		// and whole, and let the counts give way at 80 columns.
		room := m.width - ansi.StringWidth(conn) - 2
		return conn + "  " + ansi.Truncate(style.Render(text), max(room, 0), "…")
	}
	room := m.width - ansi.StringWidth(text) - 2
	return style.Render(text) + "  " + ansi.Truncate(conn, max(room, 0), "…")
}

// summaryLength is how far the summary is shortened to fit.
type summaryLength int

const (
	full       summaryLength = iota
	shortDrift               // "2 drifted"
	shortAll                 // and "4/5 converged · 1 failing"
)

// counts is the summary's text at a length.
func (m *Model) counts(converged, services, failing int, length summaryLength) string {
	parts := []string{
		fmt.Sprintf("%d/%d services converged", converged, services),
		render.Plural(failing, "task") + " failing",
		render.Plural(len(m.state.Snapshot.Nodes), "node"),
	}
	if length == shortAll {
		parts[0] = fmt.Sprintf("%d/%d converged", converged, services)
		parts[1] = fmt.Sprintf("%d failing", failing)
	}
	if d := m.driftSummary(length >= shortDrift); d != "" {
		parts = append(parts, d)
	}
	return strings.Join(parts, " · ")
}

// driftSummary is "2 drifted from file" (short: "2 drifted"), "" without
// a file.
func (m *Model) driftSummary(short bool) string {
	switch {
	case m.drift == nil:
		return ""
	case m.drift.Err() != "":
		return "diff failed"
	case !m.drift.Known():
		return "diffing file…"
	case m.drift.Count() == 0:
		return "as file"
	case short:
		return fmt.Sprintf("%d drifted", m.drift.Count())
	}
	return fmt.Sprintf("%d drifted from file", m.drift.Count())
}

func (m *Model) tasksTitle() string {
	name := "-"
	if svc, ok := m.selectedService(); ok {
		name = svc.Name
	}
	return m.c.Styles.Title.Render(table.Pad("tasks of "+name+"  (enter: all tasks and history)", m.width))
}

// detail is the full text of the selection: a task's whole error, or the
// service's image and update message. It is wrapped, never cut short
// before the space runs out.
func (m *Model) detail() string {
	text := ""
	if m.tasks.Focused() {
		if i := m.tasks.Selected(); i >= 0 && i < len(m.shown) {
			text = render.TaskDetail(m.shown[i])
		}
	} else if svc, ok := m.selectedService(); ok {
		text = render.ServiceDetail(svc)
		if d, ok := m.driftOf(svc.Name); ok {
			text = render.DriftDetail(d) + "  " + text
		}
		if t, ok := firstError(m.shown); ok {
			text += "  " + render.TaskDetail(t)
		}
	} else if d, ok := m.selectedMissing(); ok {
		text = d.Service + "  " + render.DriftDetail(d)
	}
	return table.Wrapped(m.c.Styles.Muted, text, m.width, detailLines)
}

func (m *Model) driftOf(service string) (swarm.Drift, bool) {
	if m.drift == nil {
		return swarm.Drift{}, false
	}
	return m.drift.For(service)
}

// rowCount is the number of service rows, unfiltered.
func (m *Model) rowCount() int {
	n := len(m.state.Snapshot.Services)
	if m.drift != nil {
		n += len(m.drift.Missing())
	}
	return n
}

// selectedMissing is the selected row when it is a service of the file
// that is not deployed (those rows follow the live ones).
func (m *Model) selectedMissing() (swarm.Drift, bool) {
	i := m.services.Selected() - len(m.state.Snapshot.Services)
	if m.drift == nil || i < 0 {
		return swarm.Drift{}, false
	}
	if missing := m.drift.Missing(); i < len(missing) {
		return missing[i], true
	}
	return swarm.Drift{}, false
}

func firstError(tasks []swarm.Task) (swarm.Task, bool) {
	for _, t := range tasks {
		if t.Err != "" {
			return t, true
		}
	}
	return swarm.Task{}, false
}

// Snapshot is the stack as last read, to seed views opened from here.
func (m *Model) Snapshot() swarm.Snapshot { return m.state.Snapshot }
