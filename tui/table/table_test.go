package table

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/internal/drive"
	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/styles"
)

func cols() []render.Column {
	return []render.Column{{Title: "NAME", Min: 4, Max: 20}, {Title: "EXTRA", Min: 5, Max: 10, Drop: true}, {Title: "ERR", Min: 3, Max: 100}}
}

func rows(names ...string) []render.Row {
	out := make([]render.Row, len(names))
	for i, n := range names {
		out[i] = render.Row{Cells: []string{n, "x", "an error that is rather long for a narrow table"}}
	}
	return out
}

func TestLayoutDropsThenShrinks(t *testing.T) {
	w := layout(cols(), rows("web"), 20)
	if w[1] == 0 || total(w) != 20 {
		t.Fatalf("at 20 the minimums fit, so shrink only: %v", w)
	}
	w = layout(cols(), rows("web"), 14)
	if w[1] != 0 || total(w) > 14 {
		t.Fatalf("droppable column kept at width 14: %v", w)
	}
	w = layout(cols(), rows("web"), 200)
	if w[1] == 0 || w[2] != len("an error that is rather long for a narrow table") {
		t.Fatalf("wide layout %v", w)
	}
}

func TestViewIsExactSize(t *testing.T) {
	m := New(&common.Common{Styles: styles.New(true, true)}, cols())
	m.SetRows(rows("a", "b", "c", "d", "e"))
	m.SetSize(30, 4)
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, l := range lines {
		if ansi.StringWidth(l) != 30 {
			t.Fatalf("line %q is %d wide", l, ansi.StringWidth(l))
		}
	}
}

var press = drive.Key

func TestScrollFilterClickAndKeepSelection(t *testing.T) {
	m := New(&common.Common{Styles: styles.New(true, true)}, cols())
	m.SetRows(rows("a", "b", "c", "d", "e"))
	m.SetSize(30, 3) // header + 2 rows
	for range 3 {
		m.Update(press("j"))
	}
	if m.Selected() != 3 || !strings.Contains(ansi.Strip(m.View()), "d ") {
		t.Fatalf("selected %d, view:\n%s", m.Selected(), ansi.Strip(m.View()))
	}
	m.SetRows(rows("d", "e")) // d moved: the selection follows it
	if m.Selected() != 0 {
		t.Fatalf("selection did not follow its row: %d", m.Selected())
	}
	m.SetRows(rows("apple", "banana", "cherry"))
	m.Update(press("/"))
	for _, r := range "ban" {
		m.Update(press(string(r)))
	}
	m.Update(press("enter"))
	if m.Len() != 1 || m.rows[m.Selected()].Cells[0] != "banana" {
		t.Fatalf("filter kept %d rows", m.Len())
	}
	if !m.ClearFilter() || m.Len() != 3 {
		t.Fatal("filter not cleared")
	}
	m.SetSize(30, 5)
	if !m.Click(3) || m.rows[m.Selected()].Cells[0] != "cherry" {
		t.Fatal("click on the third row missed")
	}
	if m.Click(0) {
		t.Fatal("a click on the header selected a row")
	}
}

// Opening the filter takes a row from the table: the selected row must
// stay in sight, not go under the filter line.
func TestOpeningTheFilterKeepsTheCursorInSight(t *testing.T) {
	m := New(&common.Common{Styles: styles.New(true, true)}, cols())
	m.SetRows(rows("a", "b", "c", "d", "e"))
	m.SetSize(30, 4) // header + 3 rows
	for range 2 {
		m.Update(press("j"))
	}
	m.Update(press("/"))
	if v := ansi.Strip(m.View()); !strings.Contains(v, "c ") {
		t.Fatalf("selected row c went under the filter line:\n%s", v)
	}
}

func TestWrappedIsExactlyNLinesOfW(t *testing.T) {
	s := styles.New(true, true).Muted
	for _, text := range []string{"", "short", strings.Repeat("long error ", 10)} {
		lines := strings.Split(ansi.Strip(Wrapped(s, text, 20, 3)), "\n")
		if len(lines) != 3 {
			t.Fatalf("%q: %d lines, want 3", text, len(lines))
		}
		for _, l := range lines {
			if ansi.StringWidth(l) != 20 {
				t.Errorf("%q: line %q is %d wide, want 20", text, l, ansi.StringWidth(l))
			}
		}
	}
	if got := ansi.Strip(Wrapped(s, "abcdefghij", 4, 2)); got != "abcd\nefgh" {
		t.Errorf("wrapped = %q, want the text cut into lines, not shortened with …", got)
	}
}

func TestSpread(t *testing.T) {
	tests := []struct {
		left, right string
		w           int
		want        string
	}{
		{"logs shop", "following", 20, "logs shop  following"},
		{"logs shop › web, worker", "following", 20, "logs shop… following"},
		{"logs shop", "a very long right side", 10, "logs shop"}, // no room: left alone
		{"logs shop › web", "x", 4, "l… x"},
	}
	for _, tt := range tests {
		if got := Spread(tt.left, tt.right, tt.w); got != tt.want {
			t.Errorf("Spread(%q, %q, %d) = %q, want %q", tt.left, tt.right, tt.w, got, tt.want)
		}
	}
}
