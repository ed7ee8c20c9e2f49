package activity

import (
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/keys"
	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/table"
)

// Model is the activity view over the root's log.
type Model struct {
	c     *common.Common
	log   *Log
	seen  int // the log's Added count the rows were built from; -1 to rebuild
	table table.Model
	nav   keys.Nav
	audit []Entry // recent changes from the audit log, oldest first
}

func columns() []render.Column {
	return []render.Column{
		{Title: "TIME", Min: 8, Max: 8},
		{Title: "KIND", Min: 7, Max: 7},
		{Title: "WHAT", Min: 20, Max: 400},
	}
}

// New shows log; it re-reads it on every render.
func New(c *common.Common, log *Log) *Model {
	m := &Model{c: c, log: log, table: table.New(c, columns()), nav: keys.NewNav(), seen: -1}
	m.table.SetEmpty("nothing yet: events and every action of this run show here")
	return m
}

func (m *Model) Title() string             { return "activity" }
func (m *Model) Init() tea.Cmd             { return loadAudit(m.c.AuditLog) }
func (m *Model) Capturing() bool           { return m.table.Filtering() }
func (m *Model) HandleBack() bool          { return m.table.ClearFilter() }
func (m *Model) SetSize(w, h int)          { m.table.SetSize(w, h) }
func (m *Model) ShortHelp() []key.Binding  { return []key.Binding{m.nav.Up, m.nav.Down, m.nav.Filter} }
func (m *Model) FullHelp() [][]key.Binding { return [][]key.Binding{m.nav.Bindings()} }

// Update moves in the table.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	switch msg := msg.(type) {
	case auditLoaded:
		m.audit, m.seen = msg.entries, -1
		if msg.err != nil {
			m.audit = append(m.audit, Entry{At: m.c.Now(), Kind: "error", Text: "audit log: " + msg.err.Error(), Tone: render.ToneDanger})
		}
	case tea.MouseClickMsg:
		m.table.Click(msg.Mouse().Y)
	case tea.KeyPressMsg, tea.MouseWheelMsg:
		_, cmd := m.table.Update(msg)
		return m, cmd
	}
	return m, nil
}

// View renders the log newest first.
func (m *Model) View() string {
	if n := m.log.Added(); n != m.seen {
		m.seen = n
		m.table.SetRows(rows(merge(m.log.Entries(), m.audit)))
	}
	return m.table.View()
}

func rows(entries []Entry) []render.Row {
	out := make([]render.Row, 0, len(entries))
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		out = append(out, render.Row{Cells: []string{e.At.Format("15:04:05"), e.Kind, e.Text}, Tone: e.Tone})
	}
	return out
}

// merge puts the audit log's entries among the run's, by time, oldest first.
func merge(run, audited []Entry) []Entry {
	if len(audited) == 0 {
		return run
	}
	out := append(append([]Entry(nil), audited...), run...)
	slices.SortStableFunc(out, func(a, b Entry) int { return a.At.Compare(b.At) })
	return out
}
