package logs

import (
	"fmt"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/styles"
)

func testStyles() *styles.Styles { return styles.New(true, false) }

// TestGolden keeps the screen, colours stripped, in testdata at the sizes
// an on-call laptop over SSH (80×24) and a desk terminal (120×40) give.
// Update with: go test ./tui/logs -run TestGolden -update
func TestGolden(t *testing.T) {
	states := []struct {
		name string
		act  func(m *Model)
	}{
		{"following", func(m *Model) {}},
		{"paused", func(m *Model) {
			press(m, "f")
			feed(m, numbered(5000, 12)...)
		}},
		{"filter_all_lines", func(m *Model) {
			press(m, "/")
			typeText(m, "orders")
			press(m, "enter", "H", "N")
		}},
		{"typing_filter", func(m *Model) {
			press(m, "/")
			typeText(m, `/" 5\d\d /`)
		}},
		{"timestamps_wrap", func(m *Model) { press(m, "T", "w") }},
		{"one_task", func(m *Model) { press(m, "]", "]", "]", "]", "]") }},
		{"stream_error", func(m *Model) {
			m.end(fmt.Errorf("error during connect: Get \"http://%%2Fvar%%2Frun%%2Fdocker.sock/v1.41/tasks\": EOF"))
		}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		for _, s := range states {
			t.Run(fmt.Sprintf("%dx%d/%s", size[0], size[1], s.name), func(t *testing.T) {
				m, _ := newTestModel(t, size[0], size[1])
				feed(m, incident()...)
				s.act(m)
				golden.RequireEqual(t, screen(m))
			})
		}
	}
}

func TestGoldenEmpty(t *testing.T) {
	m, _ := newTestModel(t, 80, 24, "web", "worker")
	golden.RequireEqual(t, screen(m))
}

// incident is the sample lines among plenty of ordinary traffic.
func incident() []swarm.LogLine {
	var out []swarm.LogLine
	sample := sampleLines()
	for i := range 40 {
		l := swarm.LogLine{Time: t0.Add(-time.Duration(40-i) * time.Second), Service: "web", Slot: 1 + i%2,
			Node: fmt.Sprintf("node-%d", 1+i%2), Text: fmt.Sprintf(`10.0.0.%d - - "GET /api/orders/%d HTTP/1.1" 200 %d`, 5+i%3, i, 400+i)}
		if i%7 == 3 {
			l.Service, l.Slot, l.Node, l.Text = "worker", 1, "node-3", fmt.Sprintf("[celery] Task orders.sync[%04x] succeeded in 0.%02ds", i*97, i)
		}
		out = append(out, l)
	}
	return append(out, sample...)
}

// BenchmarkFeedAndFrame feeds 10,000 lines in batches as the read loop
// delivers them, and renders one frame per batch, as Bubble Tea would.
func BenchmarkFeedAndFrame(b *testing.B) {
	lines := numbered(0, 10000)
	for i := range lines {
		if i%10 == 0 {
			lines[i].Text = fmt.Sprintf(`ERROR "POST /api/checkout HTTP/1.1" 502 %d`, i)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		m, _ := newTestModel(b, 120, 40)
		for at := 0; at < len(lines); at += 500 {
			feed(m, lines[at:at+500]...)
			_ = m.View()
		}
	}
}

// BenchmarkFrame is one frame of a full buffer, with a filter and wrap.
func BenchmarkFrame(b *testing.B) {
	for _, wrap := range []bool{false, true} {
		b.Run(fmt.Sprintf("wrap=%v", wrap), func(b *testing.B) {
			m, _ := newTestModel(b, 120, 40)
			feed(m, incident()...)
			feed(m, numbered(0, 10000)...)
			feed(m, incident()...)
			m.wrap = wrap
			m.setFilter(mustFilter(b, "order"))
			m.showAll = true
			m.reindex()
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

func mustFilter(tb testing.TB, q string) filter {
	f, err := parseFilter(q)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}
