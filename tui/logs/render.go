package logs

import (
	"fmt"
	"hash/fnv"
	"image/color"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/rivo/uniseg"

	"github.com/swarmtop/swarmtop/internal/termsafe"
	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/styles"
	"github.com/swarmtop/swarmtop/tui/table"
)

// prefixColors tell services apart. They are the terminal's own ANSI
// colours, which its theme keeps readable on a light or a dark background;
// red is left out, it means errors.
var prefixColors = []color.Color{
	lipgloss.Color("2"), lipgloss.Color("3"), lipgloss.Color("4"),
	lipgloss.Color("5"), lipgloss.Color("6"), lipgloss.Color("12"),
	lipgloss.Color("13"), lipgloss.Color("14"),
}

const timeWidth = len("15:04:05.000 ")

// layout is the width of each column of a log line.
type layout struct{ ts, prefix, text int }

func (m *Model) layout() layout {
	l := layout{prefix: min(m.prefixWidth, max(8, m.width/4))}
	if m.timestamps {
		l.ts = timeWidth
	}
	l.text = m.width - l.ts - l.prefix - 3 // " │ "
	if l.text < 10 {                       // too narrow for a prefix column: the text matters more
		l.prefix, l.text = 0, m.width-l.ts-2
	}
	l.text = max(l.text, 1)
	return l
}

func (m *Model) bodyHeight() int { return max(m.height-2, 0) }

// View renders the header, the visible lines and the status line. Only
// the lines on screen are rendered, so a frame costs the same with 50
// lines held or 50,000.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := m.common.Styles
	if m.height < 3 {
		return m.status(st)
	}
	rows := make([]string, 0, m.height)
	rows = append(rows, m.header(st))
	rows = append(rows, m.body(st)...)
	rows = append(rows, m.status(st))
	return strings.Join(rows, "\n")
}

// header names what is shown and with which options.
func (m *Model) header(st *styles.Styles) string {
	what := "all services"
	if len(m.services) > 0 {
		what = strings.Join(m.services, ", ")
	}
	left := st.Title.Render("logs") + " " + termsafe.Clean(m.stack) + " › " + termsafe.Clean(what)
	if m.source != (source{}) {
		left += " · only " + st.Info.Render(m.sourceName())
	}
	right := st.Muted.Render(m.optionsText())
	return table.Spread(left, right, m.width)
}

func (m *Model) sourceName() string {
	if m.source.prefix != "" {
		return m.source.prefix
	}
	return m.source.service
}

func (m *Model) optionsText() string {
	tail := "all"
	if n := tailPresets[m.tailIdx]; n >= 0 {
		tail = fmt.Sprint(n)
	}
	since := "all"
	if d := sincePresets[m.sinceIdx]; d > 0 {
		since = strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
	}
	opts := []string{"tail " + tail, "since " + since}
	if m.timestamps {
		opts = append(opts, "time")
	}
	if m.wrap {
		opts = append(opts, "wrap")
	}
	return strings.Join(opts, " · ")
}

// body renders exactly bodyHeight rows.
func (m *Model) body(st *styles.Styles) []string {
	h := m.bodyHeight()
	rows := make([]string, 0, h+8)
	if len(m.shown) == 0 {
		rows = append(rows, st.Muted.Render(ansi.Truncate(m.emptyText(), m.width, "…")))
	}
	l := m.layout()
	for i := m.topIndex(); i < len(m.shown) && (m.follow || len(rows) < h); i++ {
		rows = append(rows, m.renderLine(m.shown[i], l, st)...)
	}
	if m.follow && len(rows) > h { // a wrapped top line shows its end
		rows = rows[len(rows)-h:]
	}
	rows = rows[:min(len(rows), h)]
	for len(rows) < h {
		rows = append(rows, "")
	}
	return rows
}

// emptyText says why no line is shown, so a silent service does not look
// like a broken view.
func (m *Model) emptyText() string {
	switch {
	case m.state == connecting:
		return "connecting to " + termsafe.Clean(m.stack) + "…"
	case m.buf.len() > 0 && m.filter.active():
		return "no lines match " + termsafe.Clean(m.filter.raw)
	case m.buf.len() > 0:
		return "no lines from " + m.sourceName()
	case m.state == ended:
		return "no lines"
	}
	return "waiting for lines…"
}

// status is the bottom line: the filter being typed, or the stream's
// state, the filter, news, and how many lines are held.
func (m *Model) status(st *styles.Styles) string {
	if m.typing {
		return table.Spread(m.input.View(), st.Danger.Render(m.notice), m.width)
	}
	parts := []string{m.stateText(st)}
	if m.filter.active() {
		parts = append(parts, st.Info.Render(m.filterText()))
	}
	if m.notice != "" {
		style := st.Muted
		if m.noticeErr {
			style = st.Danger
		}
		parts = append(parts, style.Render(m.notice))
	}
	right := render.Plural(m.buf.len(), "line")
	if m.state == ended { // kept on the right, where a long error cannot push it off
		right += " · r reconnects"
	}
	right = st.Muted.Render(right)
	return table.Spread(strings.Join(parts, "  "), right, m.width)
}

func (m *Model) stateText(st *styles.Styles) string {
	switch {
	case m.lost:
		return st.Danger.Render("○ engine lost since " + m.lostSince.Local().Format(time.TimeOnly) + ", retrying…")
	case m.state == connecting:
		return st.Muted.Render("… connecting")
	case m.state == ended && m.err != nil:
		return st.Danger.Render("■ " + termsafe.Clean(m.err.Error()))
	case m.state == ended:
		return st.Warning.Render("■ stream ended")
	case m.follow:
		return st.OK.Render("● following")
	}
	if n := m.shown.countFrom(m.pausedAt); n > 0 {
		return st.Warning.Render(fmt.Sprintf("‖ paused · %d new lines", n))
	}
	return st.Warning.Render("‖ paused")
}

func (m *Model) filterText() string {
	s := fmt.Sprintf("filter %s: %d matches", termsafe.Clean(m.filter.raw), len(m.hits))
	if m.showAll {
		s += " (all lines)"
	}
	return s
}

// renderLine renders one log line as one row, or several when wrapping.
func (m *Model) renderLine(seq uint64, l layout, st *styles.Styles) []string {
	e := m.buf.at(seq)
	head, cont := m.lineHead(e, seq, l, st)
	text, base := e.Text, lineStyle(e, st)
	var marks [][]int
	if m.filter.active() {
		marks = m.filter.ranges(text)
	}
	spans := textSpans(text, l.text, m.wrap)
	rows := make([]string, len(spans))
	for i, sp := range spans {
		lead := head
		if i > 0 {
			lead = cont
		}
		rows[i] = lead + paint(text, sp, marks, base, st.Highlight)
		if !m.wrap && sp[1] < len(text) {
			rows[i] += "…"
		}
	}
	return rows
}

// lineHead renders the time, prefix and separator of a line's first row,
// and the blank lead of its continuation rows.
func (m *Model) lineHead(e *entry, seq uint64, l layout, st *styles.Styles) (head, cont string) {
	sep, sepStyle := " │ ", st.Subtle
	if e.Stderr { // many apps log everything to stderr: a mark, not red text
		sep, sepStyle = " ┃ ", st.Warning
	}
	if l.prefix == 0 {
		sep = sep[1:]
	}
	sep = sepStyle.Render(sep)
	if l.ts > 0 {
		head = st.Muted.Render(e.Time.UTC().Format("15:04:05.000")) + " "
	}
	if l.prefix > 0 {
		p := ansi.Truncate(e.prefix, l.prefix, "…")
		p += strings.Repeat(" ", l.prefix-ansi.StringWidth(p))
		head += m.prefixStyle(e, seq, st).Render(p)
	}
	return head + sep, strings.Repeat(" ", l.ts+l.prefix) + sep
}

func (m *Model) prefixStyle(e *entry, seq uint64, st *styles.Styles) lipgloss.Style {
	switch {
	case m.hasMatch && m.match == seq:
		return st.Selected
	case st.NoColor:
		return lipgloss.NewStyle()
	}
	h := fnv.New32a()
	h.Write([]byte(e.Service))
	return lipgloss.NewStyle().Foreground(prefixColors[h.Sum32()%uint32(len(prefixColors))])
}

// lineStyle is the colour of a line's text; nil style (zero) means plain.
func lineStyle(e *entry, st *styles.Styles) *lipgloss.Style {
	switch {
	case e.Note:
		return &st.Warning
	case isErrorText(e.Text):
		return &st.Danger
	}
	return nil
}

// paint renders text[sp[0]:sp[1]] in base, with the parts inside marks
// highlighted.
func paint(text string, sp [2]int, marks [][]int, base *lipgloss.Style, mark lipgloss.Style) string {
	var b strings.Builder
	plain := func(s string) {
		if base != nil && s != "" {
			s = base.Render(s)
		}
		b.WriteString(s)
	}
	at := sp[0]
	for _, r := range marks {
		from, to := max(r[0], at), min(r[1], sp[1])
		if from >= to {
			continue
		}
		plain(text[at:from])
		b.WriteString(mark.Render(text[from:to]))
		at = to
	}
	plain(text[at:sp[1]])
	return b.String()
}

// rowsOf is how many rows a line takes on screen.
func (m *Model) rowsOf(e *entry) int {
	if !m.wrap {
		return 1
	}
	return len(textSpans(e.Text, m.layout().text, true))
}

// textSpans splits text into rows of at most w columns, as byte ranges.
// Without wrap there is one row, cut one column short to leave room for
// an ellipsis when the text does not fit.
func textSpans(text string, w int, wrap bool) [][2]int {
	if !wrap {
		end := cutAt(text, w)
		if end < len(text) {
			end = cutAt(text, w-1)
		}
		return [][2]int{{0, end}}
	}
	var spans [][2]int
	for at := 0; at < len(text) || len(spans) == 0; {
		end := at + cutAt(text[at:], w)
		if end == at && at < len(text) { // a character wider than the row
			end = at + len(string([]rune(text[at:])[0]))
		}
		spans = append(spans, [2]int{at, end})
		at = end
	}
	return spans
}

// cutAt is the byte length of the longest start of s that fits in w
// columns, cut between grapheme clusters.
func cutAt(s string, w int) int {
	if w <= 0 {
		return 0
	}
	if isASCII(s[:min(len(s), w)]) {
		return min(len(s), w)
	}
	pos, used, state := 0, 0, -1
	for pos < len(s) {
		cluster, _, cw, next := uniseg.FirstGraphemeClusterInString(s[pos:], state)
		if used+cw > w {
			break
		}
		pos, used, state = pos+len(cluster), used+cw, next
	}
	return pos
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
