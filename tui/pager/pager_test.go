package pager

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/styles"
)

func numbered(n int) []render.Line {
	out := make([]render.Line, n)
	for i := range out {
		out[i] = render.Line{Text: fmt.Sprintf("line %d", i+1)}
	}
	return out
}

func view(m Model) []string { return strings.Split(ansi.Strip(m.View()), "\n") }

func TestScrollsAndSaysWhere(t *testing.T) {
	m := New(&common.Common{Styles: styles.New(true, true)})
	m.SetLines(numbered(10))
	m.SetSize(30, 4) // three lines and the position line

	lines := view(m)
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "line 1 ") || !strings.HasPrefix(lines[3], "lines 1-3 of 10") {
		t.Fatalf("first page:\n%s", strings.Join(lines, "\n"))
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > 30 {
			t.Errorf("line %q is wider than 30", l)
		}
	}
	if !m.Update(tea.KeyPressMsg{Code: 'G', Text: "G"}) {
		t.Fatal("G is a move")
	}
	if lines := view(m); !strings.HasPrefix(lines[0], "line 8 ") || !strings.HasPrefix(lines[3], "lines 8-10 of 10") {
		t.Fatalf("bottom stops at the last page:\n%s", strings.Join(lines, "\n"))
	}
	m.Update(tea.KeyPressMsg{Code: 'k', Text: "k"})
	if lines := view(m); !strings.HasPrefix(lines[0], "line 7 ") {
		t.Fatalf("k scrolls up one:\n%s", strings.Join(lines, "\n"))
	}
	if m.Update(tea.KeyPressMsg{Code: 'x', Text: "x"}) {
		t.Error("x is not the pager's")
	}
	m.SetLines(numbered(2)) // shorter than the page: back to the top
	if lines := view(m); !strings.HasPrefix(lines[0], "line 1 ") || !strings.HasPrefix(lines[3], "2 lines") {
		t.Fatalf("short text:\n%s", strings.Join(lines, "\n"))
	}
}

func TestLongLinesAreCut(t *testing.T) {
	m := New(&common.Common{Styles: styles.New(true, true)})
	m.SetLines([]render.Line{{Text: strings.Repeat("x", 50)}})
	m.SetSize(20, 3)
	if first := view(m)[0]; ansi.StringWidth(first) != 20 || !strings.HasSuffix(first, "…") {
		t.Errorf("long line = %q, want 20 cells ending in …", first)
	}
}
