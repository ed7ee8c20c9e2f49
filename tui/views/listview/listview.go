// Package listview is what the plain list views (nodes, stacks) share: a
// table of items read again every few seconds, with a footer line under it
// that shows the last read's error. Each view embeds a Base and keeps its
// own rows, keys, help and footer text.
package listview

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/internal/termsafe"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/keys"
	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/table"
)

// Config is what tells one list view from another.
type Config[T any] struct {
	Title    string                             // the view's name; the table reads "reading <Title>…" until the first read
	Header   []render.Column                    // the table's columns
	Empty    string                             // the table's text when a read finds nothing
	Interval time.Duration                      // between timed reads
	List     func(context.Context) ([]T, error) // one read; it must honour the context
	Row      func(T) render.Row                 // one item's table row
}

// Base is the shared part of a list view. Views read Common, Table, Items
// and Nav directly; the rest is the base's own.
type Base[T any] struct {
	Common *common.Common
	Table  table.Model
	Items  []T // as last read; a failed read keeps them
	Nav    keys.Nav

	cfg    Config[T]
	id     common.ViewID
	ctx    context.Context
	cancel context.CancelFunc
	err    string // the last read's error, cleaned for the terminal; "" when it worked
	width  int
}

// loaded is a read's result. A timed read arms the next; a Refresh does
// not, so the timed reads stay one every Interval.
type loaded[T any] struct {
	items []T
	err   error
	timed bool
}

type tick struct{}

// New builds the base of view id; it reads in Init. ctx bounds the reads,
// which also end on Close.
func New[T any](ctx context.Context, c *common.Common, id common.ViewID, cfg Config[T]) Base[T] {
	ctx, cancel := context.WithCancel(ctx)
	b := Base[T]{Common: c, Table: table.New(c, cfg.Header), Nav: keys.NewNav(),
		cfg: cfg, id: id, ctx: ctx, cancel: cancel}
	b.Table.SetEmpty("reading " + cfg.Title + "…")
	return b
}

// The root looks for these on every view: its name, an end to its reads,
// and whether the filter has the keyboard or takes esc.
func (b *Base[T]) Title() string    { return b.cfg.Title }
func (b *Base[T]) Close() tea.Cmd   { b.cancel(); return nil }
func (b *Base[T]) Capturing() bool  { return b.Table.Filtering() }
func (b *Base[T]) HandleBack() bool { return b.Table.ClearFilter() }
func (b *Base[T]) Init() tea.Cmd    { return b.read(true) }

// Refresh reads now, for when the view's items are known to have changed
// (a node op), without waiting for the timer.
func (b *Base[T]) Refresh() tea.Cmd { return b.read(false) }

// read lists the items. The context and list are captured here, not read
// from b when the command runs on another goroutine.
func (b *Base[T]) read(timed bool) tea.Cmd {
	ctx, list := b.ctx, b.cfg.List
	return common.Tag(b.id, func() tea.Msg {
		items, err := list(ctx)
		return loaded[T]{items, err, timed}
	})
}

// Update handles what every list view does alike: read results, the timer
// and the mouse. Keys go to onKey, the view's own handler: only the view
// knows whether its keys come before the table's or after.
func (b *Base[T]) Update(msg tea.Msg, onKey func(tea.KeyPressMsg) tea.Cmd) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return onKey(msg)
	case loaded[T]:
		b.onLoaded(msg)
		if msg.timed {
			return common.Tag(b.id, tea.Tick(b.cfg.Interval, func(time.Time) tea.Msg { return tick{} }))
		}
	case tick:
		if b.ctx.Err() == nil { // closed: stop reading
			return b.read(true)
		}
	case tea.MouseClickMsg:
		b.Table.Click(msg.Mouse().Y)
	case tea.MouseWheelMsg:
		_, cmd := b.Table.Update(msg)
		return cmd
	}
	return nil
}

func (b *Base[T]) onLoaded(msg loaded[T]) {
	if msg.err != nil {
		b.err = termsafe.Clean(msg.err.Error())
		return
	}
	b.err, b.Items = "", msg.items
	rows := make([]render.Row, len(msg.items))
	for i, item := range msg.items {
		rows[i] = b.cfg.Row(item)
	}
	b.Table.SetEmpty(b.cfg.Empty)
	b.Table.SetRows(rows)
}

// SetSize gives the table all but the footer line.
func (b *Base[T]) SetSize(w, h int) {
	b.width = w
	b.Table.SetSize(w, max(h-1, 1))
}

// View renders the table and a footer line: foot, or the last read's error
// in its place.
func (b *Base[T]) View(foot string) string {
	s := b.Common.Styles
	line := s.Muted.Render(table.Pad(foot, b.width))
	if b.err != "" {
		line = s.Danger.Render(table.Pad("! "+b.err, b.width))
	}
	return strings.Join([]string{b.Table.View(), line}, "\n")
}
