package listview

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/render"
	"github.com/swarmtop/swarmtop/tui/styles"
)

// fakeList answers each read with the next of its results.
type fakeList struct {
	items [][]string
	errs  []error
	reads int
}

func (f *fakeList) list(context.Context) ([]string, error) {
	i := f.reads
	f.reads++
	return f.items[i], f.errs[i]
}

func newBase(f *fakeList) Base[string] {
	c := &common.Common{Styles: styles.New(true, true)}
	b := New(context.Background(), c, "v1", Config[string]{
		Title: "things", Header: []render.Column{{Title: "NAME", Min: 4, Max: 20}}, Empty: "no things",
		Interval: time.Hour, List: f.list,
		Row: func(s string) render.Row { return render.Row{Cells: []string{s}} },
	})
	b.SetSize(40, 6)
	return b
}

func noKeys(tea.KeyPressMsg) tea.Cmd { return nil }

// run runs cmd and unwraps the view's tag, as the root does.
func run(t *testing.T, cmd tea.Cmd) tea.Msg {
	t.Helper()
	if cmd == nil {
		t.Fatal("want a command, got none")
	}
	tagged, ok := cmd().(common.Tagged)
	if !ok || tagged.View != "v1" {
		t.Fatalf("want a result tagged for v1, got %#v", tagged)
	}
	return tagged.Msg
}

func TestReadsFillTheTableAndErrorsShowInTheFooter(t *testing.T) {
	f := &fakeList{items: [][]string{nil, {"alpha", "beta"}, nil}, errs: []error{nil, nil, errors.New("engine gone")}}
	b := newBase(f)
	if v := b.View("foot"); !strings.Contains(v, "reading things…") {
		t.Errorf("before the first read:\n%s", v)
	}

	tests := []struct {
		name      string
		want      []string
		wantItems int
	}{
		{"empty read", []string{"no things", "foot"}, 0},
		{"two items", []string{"alpha", "beta", "foot"}, 2},
		{"failed read keeps the items", []string{"alpha", "beta", "! engine gone"}, 2},
	}
	cmd := b.Init()
	for _, tt := range tests {
		if b.Update(run(t, cmd), noKeys) == nil {
			t.Fatalf("%s: a timed read arms the next", tt.name)
		}
		cmd = b.read(true) // what the timer's tick would start
		v := b.View("foot")
		for _, w := range tt.want {
			if !strings.Contains(v, w) {
				t.Errorf("%s: view lacks %q:\n%s", tt.name, w, v)
			}
		}
		if len(b.Items) != tt.wantItems {
			t.Errorf("%s: %d items, want %d", tt.name, len(b.Items), tt.wantItems)
		}
	}
}

func TestRefreshDoesNotArmATimer(t *testing.T) {
	f := &fakeList{items: [][]string{{"alpha"}}, errs: []error{nil}}
	b := newBase(f)
	if cmd := b.Update(run(t, b.Refresh()), noKeys); cmd != nil {
		t.Error("a refresh armed a timer")
	}
	if len(b.Items) != 1 {
		t.Errorf("items = %v", b.Items)
	}
}

func TestKeysGoToTheView(t *testing.T) {
	b := newBase(&fakeList{})
	var got []string
	onKey := func(k tea.KeyPressMsg) tea.Cmd { got = append(got, k.String()); return nil }
	b.Update(tea.KeyPressMsg{Code: 'j', Text: "j"}, onKey)
	b.Update(tea.MouseClickMsg{Y: 1}, onKey)
	if len(got) != 1 || got[0] != "j" {
		t.Errorf("view got keys %v, want [j]", got)
	}
}

func TestClosedViewStopsReading(t *testing.T) {
	b := newBase(&fakeList{})
	b.Close()
	if cmd := b.Update(tick{}, noKeys); cmd != nil {
		t.Error("a closed view read again")
	}
}
