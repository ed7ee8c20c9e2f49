package logs

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
)

func TestOpensAtOnceAndWaitsForLines(t *testing.T) {
	be := &fakeBackend{}
	m := New(&common.Common{Styles: testStyles()}, be, "shop", []string{"web"})
	m.SetSize(80, 24)
	cmd := m.Init()
	if got := screen(m); !strings.Contains(got, "connecting to shop…") {
		t.Fatalf("before the stream opens:\n%s", got)
	}
	openStream(t, m, cmd)
	if got := screen(m); !strings.Contains(got, "waiting for lines…") || !strings.Contains(got, "● following") {
		t.Fatalf("a silent service:\n%s", got)
	}
	opts := be.opts[0]
	if !opts.Follow || opts.Tail != 100 || !opts.Since.IsZero() || len(opts.Services) != 1 || opts.Services[0] != "web" {
		t.Errorf("first subscription: %+v", opts)
	}
}

func TestLinesAreShownNewestAtTheBottom(t *testing.T) {
	m, _ := newTestModel(t, 80, 24)
	feed(m, numbered(0, 100)...)
	rows := strings.Split(screen(m), "\n")
	if len(rows) != 24 {
		t.Fatalf("%d rows, want 24", len(rows))
	}
	if !strings.HasSuffix(rows[22], "line 99") || !strings.HasSuffix(rows[1], "line 78") {
		t.Errorf("body is not the newest 22 lines:\n%s", strings.Join(rows, "\n"))
	}
}

func TestReadBatchGathersLinesIntoFewMessages(t *testing.T) {
	s := newFakeStream(3000)
	for _, l := range numbered(0, 2500) {
		s.ch <- l
	}
	s.err = errors.New("engine went away")
	close(s.ch)
	var sizes []int
	for {
		msg := readBatch(1, s)().(linesMsg)
		sizes = append(sizes, len(msg.lines))
		if msg.done {
			if msg.err == nil || msg.err.Error() != "engine went away" {
				t.Errorf("end error %v", msg.err)
			}
			break
		}
	}
	if want := []int{1000, 1000, 500}; len(sizes) != 3 || sizes[0] != want[0] || sizes[2] != want[2] {
		t.Errorf("batch sizes %v, want %v", sizes, want)
	}
}

func TestReadBatchStopsAtTheTimeWindow(t *testing.T) {
	s := newFakeStream(10)
	s.ch <- numbered(0, 1)[0]
	start := time.Now()
	msg := readBatch(1, s)().(linesMsg)
	if len(msg.lines) != 1 || msg.done {
		t.Fatalf("got %d lines, done %v", len(msg.lines), msg.done)
	}
	if d := time.Since(start); d > 5*batchWindow {
		t.Errorf("a quiet stream held its line for %v", d)
	}
}

func TestStreamEndAndErrorsShowInStatus(t *testing.T) {
	m, _ := newTestModel(t, 80, 24)
	m.Update(common.Tagged{View: m.ID(), Msg: linesMsg{gen: m.gen, done: true, err: errors.New("engine: connection reset")}})
	if got := lastRow(m); !strings.Contains(got, "engine: connection reset") || !strings.Contains(got, "r reconnects") {
		t.Errorf("status: %q", got)
	}
	// A cancelled context is how a stream normally ends: not an error.
	m2, _ := newTestModel(t, 80, 24)
	m2.Update(common.Tagged{View: m2.ID(), Msg: linesMsg{gen: m2.gen, done: true, err: context.Canceled}})
	if got := lastRow(m2); !strings.Contains(got, "stream ended") {
		t.Errorf("status: %q", got)
	}
}

func TestOpenErrorShowsAndReconnectRetries(t *testing.T) {
	be := &fakeBackend{err: &swarm.ServiceNotFoundError{Stack: "shop", Name: "wbe", Known: []string{"web", "worker"}}}
	m := New(&common.Common{Styles: testStyles()}, be, "shop", []string{"wbe"})
	m.SetSize(80, 24)
	openStream(t, m, m.Init())
	if got := lastRow(m); !strings.Contains(got, "wbe") {
		t.Errorf("status: %q", got)
	}
	be.err = nil
	openStream(t, m, press(m, "r"))
	if be.calls() != 2 || m.state != streaming {
		t.Errorf("r: %d calls, state %v", be.calls(), m.state)
	}
}

func TestPauseKeepsReceivingAndCounts(t *testing.T) {
	m, _ := newTestModel(t, 80, 24)
	feed(m, numbered(0, 50)...)
	press(m, "f")
	before := body(m)
	feed(m, numbered(50, 37)...)
	if got := body(m); got != before {
		t.Errorf("paused view scrolled:\n%s", got)
	}
	if got := lastRow(m); !strings.Contains(got, "paused · 37 new lines") || !strings.Contains(got, "87 lines") {
		t.Errorf("status: %q", got)
	}
	press(m, "space")
	if got := screen(m); !strings.Contains(got, "line 86") || !strings.Contains(got, "● following") {
		t.Errorf("resumed:\n%s", got)
	}
}

func TestScrollingUpPausesAndBottomFollows(t *testing.T) {
	m, _ := newTestModel(t, 80, 24)
	feed(m, numbered(0, 100)...)
	press(m, "up")
	if m.follow || !strings.Contains(body(m), "line 77") || strings.Contains(body(m), "line 99") {
		t.Fatalf("up:\n%s", screen(m))
	}
	press(m, "g")
	if !strings.HasSuffix(strings.Split(body(m), "\n")[0], "line 0") {
		t.Errorf("g:\n%s", body(m))
	}
	press(m, "j")
	press(m, "G")
	if !m.follow {
		t.Error("G did not follow")
	}
}

func TestRingBufferStaysBounded(t *testing.T) {
	m, _ := newTestModel(t, 80, 24)
	m.SetBufferSize(500)
	press(m, "/")
	typeText(m, "7")
	press(m, "enter")
	for i := 0; i < 100; i++ {
		feed(m, numbered(i*1000, 1000)...)
		if m.buf.len() > 500 || len(m.shown) > 500 || len(m.hits) > 500 {
			t.Fatalf("after %d lines: buffer %d, shown %d, hits %d", (i+1)*1000, m.buf.len(), len(m.shown), len(m.hits))
		}
		if cap(m.shown) > 4*500 || cap(m.hits) > 4*500 {
			t.Fatalf("index capacity grew: %d, %d", cap(m.shown), cap(m.hits))
		}
	}
	if first := m.buf.at(m.buf.first()).Text; first != "line 99500" {
		t.Errorf("oldest kept line %q", first)
	}
	if got := screen(m); !strings.Contains(got, "line 99997") || !strings.Contains(got, "500 lines") {
		t.Errorf("screen:\n%s", got)
	}
}

func TestFilterHidesAndHighlights(t *testing.T) {
	m, _ := newTestModel(t, 80, 24)
	feed(m, sampleLines()...)
	press(m, "/")
	typeText(m, "orders")
	if !m.Capturing() {
		t.Fatal("typing a filter does not capture keys")
	}
	press(m, "enter")
	got := body(m)
	if strings.Contains(got, "healthz") || !strings.Contains(got, "/api/orders/17") {
		t.Errorf("smart-case substring:\n%s", got)
	}
	if len(m.hits) != 6 || !strings.Contains(lastRow(m), "filter orders: 6 matches") {
		t.Errorf("%d hits, status %q", len(m.hits), lastRow(m))
	}
	if !strings.Contains(m.View(), "\x1b[7morders") {
		t.Error("matches are not highlighted")
	}
	press(m, "H")
	if !strings.Contains(body(m), "healthz") || !strings.Contains(lastRow(m), "(all lines)") {
		t.Errorf("H shows every line:\n%s", screen(m))
	}
	press(m, "esc")
	if m.filter.active() || len(m.shown) != 10 {
		t.Errorf("esc left filter %q, %d shown", m.filter.raw, len(m.shown))
	}
}

func TestFilterRegexpAndCase(t *testing.T) {
	m, _ := newTestModel(t, 80, 24)
	feed(m, sampleLines()...)
	press(m, "/")
	typeText(m, `/HTTP\/1.1" 5\d\d/`)
	press(m, "enter")
	if len(m.hits) != 1 || !strings.Contains(body(m), "checkout") {
		t.Errorf("regexp: %d hits\n%s", len(m.hits), body(m))
	}
	press(m, "/")
	typeText(m, "x") // the query becomes `/…/x`: not a regexp any more
	for range 30 {
		press(m, "backspace")
	}
	typeText(m, "Traceback")
	press(m, "enter")
	if len(m.hits) != 1 {
		t.Errorf("case-sensitive Traceback: %d hits", len(m.hits))
	}
	press(m, "/")
	for range 30 {
		press(m, "backspace")
	}
	typeText(m, "/a(b/")
	if m.filter.raw != "/a(b" { // the last good filter stays
		t.Errorf("bad regexp applied: %q", m.filter.raw)
	}
	if !strings.Contains(lastRow(m), "bad regular expression") {
		t.Errorf("status: %q", lastRow(m))
	}
	press(m, "esc")
	if m.filter.raw != "Traceback" {
		t.Errorf("esc restored %q", m.filter.raw)
	}
}

func TestNextAndPreviousMatch(t *testing.T) {
	m, _ := newTestModel(t, 120, 8) // 6 body rows: matches must scroll into view
	feed(m, numbered(0, 40)...)
	press(m, "/")
	typeText(m, "line 1")
	press(m, "enter", "H") // show all lines, jump between matches
	press(m, "n")
	if !m.hasMatch || m.buf.at(m.match).Text != "line 1" || m.follow {
		t.Fatalf("first n: match %q, follow %v", m.buf.at(m.match).Text, m.follow)
	}
	press(m, "n", "n")
	if got := m.buf.at(m.match).Text; got != "line 11" {
		t.Errorf("third n: %q", got)
	}
	if !strings.Contains(body(m), "line 11") {
		t.Errorf("match not on screen:\n%s", body(m))
	}
	press(m, "N")
	if got := m.buf.at(m.match).Text; got != "line 10" {
		t.Errorf("N: %q", got)
	}
	for range 10 {
		press(m, "n")
	}
	if got := m.buf.at(m.match).Text; got != "line 1" || !strings.Contains(lastRow(m), "search wrapped") {
		t.Errorf("wrap: %q, %q", got, lastRow(m))
	}
}

func TestSourceCycle(t *testing.T) {
	m, _ := newTestModel(t, 80, 24)
	feed(m, sampleLines()...)
	var names []string
	for range 7 {
		press(m, "]")
		names = append(names, m.sourceName())
	}
	want := "web web.1@node-1 web.2@node-2 worker worker.1@node-3  web"
	if strings.Join(names, " ") != want {
		t.Errorf("cycle %q, want %q", strings.Join(names, " "), want)
	}
	if len(m.shown) != 5 || !strings.Contains(screen(m), "only web") {
		t.Errorf("web: %d lines\n%s", len(m.shown), screen(m))
	}
	press(m, "[", "[")
	if m.sourceName() != "worker.1@node-3" || len(m.shown) != 5 {
		t.Errorf("[ [: %q, %d lines", m.sourceName(), len(m.shown))
	}
}

func TestTailAndSinceResubscribe(t *testing.T) {
	m, be := newTestModel(t, 80, 24)
	feed(m, numbered(0, 10)...)
	oldGen := m.gen
	openStream(t, m, press(m, "t"))
	if be.calls() != 2 || be.opts[1].Tail != 1000 {
		t.Fatalf("t: %+v", be.opts)
	}
	if !be.streams[0].closed.Load() {
		t.Error("the old stream was not closed")
	}
	if m.buf.len() != 0 {
		t.Errorf("buffer kept %d lines of the old subscription", m.buf.len())
	}
	m.Update(common.Tagged{View: m.ID(), Msg: linesMsg{gen: oldGen, lines: numbered(0, 5)}})
	if m.buf.len() != 0 {
		t.Error("a stale batch was stored")
	}
	openStream(t, m, press(m, "t"))
	openStream(t, m, press(m, "s"))
	last := be.opts[len(be.opts)-1]
	if last.Tail != -1 || !last.Since.Equal(t0) { // the clock says t0+1m
		t.Errorf("t t s: tail %d since %v", last.Tail, last.Since)
	}
	if !strings.Contains(screen(m), "tail all · since 1m") {
		t.Errorf("header:\n%s", screen(m))
	}
}

func TestCloseEndsTheStream(t *testing.T) {
	m, be := newTestModel(t, 80, 24)
	if cmd := m.Close(); cmd != nil {
		go cmd() // as Bubble Tea runs it
	}
	deadline := time.Now().Add(time.Second)
	for !be.streams[0].closed.Load() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if !be.streams[0].closed.Load() {
		t.Error("Close did not close the stream")
	}
}

func TestSaveWritesShownLines(t *testing.T) {
	m, _ := newTestModel(t, 80, 24)
	feed(m, sampleLines()...)
	press(m, "/")
	typeText(m, "worker")
	press(m, "esc") // not applied: save everything
	msgs := runCmd(press(m, "ctrl+s"))
	m.Update(msgs[0])
	path := filepath.Join(m.saveDir, "swarmtop-shop-20261122-050900.log")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 10 || lines[3] != `2026-11-22T05:08:00.3Z web.1@node-1 | 10.0.0.5 - - "POST /api/checkout HTTP/1.1" 502 166` {
		t.Errorf("%d lines, line 4 %q", len(lines), lines[3])
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
	if got := lastRow(m); !strings.Contains(got, "saved 10 lines to "+path[:20]) {
		t.Errorf("status %q", got)
	}
	m.Update(runCmd(press(m, "ctrl+s"))[0]) // same second: a new file
	if _, err := os.Stat(strings.TrimSuffix(path, ".log") + "-2.log"); err != nil {
		t.Error(err)
	}
}

func TestTimestampsAndWrap(t *testing.T) {
	m, _ := newTestModel(t, 60, 10)
	feed(m, sampleLines()...)
	press(m, "T")
	if !strings.Contains(body(m), "05:08:00.312 worker.1@node-3") {
		t.Errorf("timestamps:\n%s", body(m))
	}
	press(m, "T", "w")
	got := body(m)
	if !strings.Contains(got, "in 10s") || !strings.Contains(got, "expired") {
		t.Errorf("wrap:\n%s", got)
	}
	press(m, "w")
	if !strings.Contains(body(m), "…") {
		t.Errorf("no wrap: long lines should end in …\n%s", body(m))
	}
}

func TestErrorLines(t *testing.T) {
	cases := map[string]bool{
		`ERROR django.request: Internal Server Error: /api/checkout`: true,
		`Traceback (most recent call last):`:                         true,
		`psycopg.OperationalError: connection failed`:                false,
		`java.lang.NullPointerException at Foo.bar`:                  true,
		`panic: runtime error: index out of range`:                   true,
		`level=fatal msg="cannot bind"`:                              true,
		`"POST /api/checkout HTTP/1.1" 502 166`:                      true,
		`status=503 path=/`:                                          true,
		`"GET /healthz HTTP/1.1" 200 5021`:                           false,
		`processed 500 orders`:                                       false,
		`errors=0 warnings=2`:                                        false,
	}
	for text, want := range cases {
		if got := isErrorText(text); got != want {
			t.Errorf("isErrorText(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestEngineAdapterNilStream(t *testing.T) {
	be := Engine(failingEngine{})
	s, err := be.Logs(context.Background(), "shop", swarm.LogOptions{})
	if err == nil || s != nil {
		t.Errorf("got %v, %v: a failed open must give a nil Stream", s, err)
	}
}

type failingEngine struct{}

func (failingEngine) Logs(context.Context, string, swarm.LogOptions) (*swarm.LogStream, error) {
	return nil, errors.New("no swarm")
}

func lastRow(m *Model) string {
	rows := strings.Split(screen(m), "\n")
	return rows[len(rows)-1]
}

// body is the screen without its header and status line.
func body(m *Model) string {
	rows := strings.Split(screen(m), "\n")
	return strings.Join(rows[1:len(rows)-1], "\n")
}

// Lines arrive cleaned by the stream (swarm cleans them as it reads them);
// what the view adds itself, the stack name and an engine error that can
// quote a container, it cleans through termsafe.
func TestViewCleansWhatItAdds(t *testing.T) {
	be := &fakeBackend{}
	m := New(&common.Common{Styles: testStyles()}, be, "shop\x1b]2;pwned\x07", nil)
	m.SetSize(100, 10)
	openStream(t, m, m.Init())
	m.end(errors.New("task failed: \x1b[2J\x1b]52;c;eA==\x07boom"))
	view := m.View()
	for _, bad := range []string{"\x07", "]2;", "[2J", "]52;"} {
		if strings.Contains(view, bad) {
			t.Errorf("%q shown:\n%q", bad, view)
		}
	}
	if got := screen(m); !strings.Contains(got, "logs shop › all services") || !strings.Contains(got, "task failed: boom") {
		t.Errorf("screen:\n%s", got)
	}
}
