// Package drive runs Bubble Tea models in tests without a terminal: it
// feeds messages to Update and runs the commands that come back.
//
// Time stands still in a driven model: a test moves its model's clock and
// sends timed messages itself. So a command is run on a goroutine of its
// own and waited for until it returns, and then its message is delivered,
// or until it cannot return without time passing or the test acting, and
// then it is skipped. It cannot return when it waits for a timer (tea.Tick,
// tea.Every, a cursor blink), or when it waits for something and every other
// goroutine is waiting too (a watch with no update to hand over). The driver
// tells these apart by looking at the goroutines' stacks, not by a deadline,
// so what a test sees does not depend on how loaded the machine is: a slow
// backend read is waited for however long it takes, and a tick is skipped
// as soon as its goroutine waits for its timer (only a test stalled for the
// tick's whole interval, 83 ms for a spinner, before that could see it).
package drive

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
)

// limit is how long a command may keep the program busy, neither returning
// nor waiting, before the driver gives up: far beyond any command of a
// fake backend, however loaded the machine.
const limit = 30 * time.Second

// Updater is a model's Update reduced to what the driver needs.
type Updater func(tea.Msg) tea.Cmd

// Send delivers msgs one by one and runs every command that follows,
// depth first. It returns every message delivered, commands' included.
func Send(update Updater, msgs ...tea.Msg) []tea.Msg {
	var seen []tea.Msg
	for _, msg := range msgs {
		seen = append(seen, deliver(update, msg, 0)...)
	}
	return seen
}

func deliver(update Updater, msg tea.Msg, depth int) []tea.Msg {
	if msg == nil || depth > 50 {
		return nil
	}
	if batch, ok := msg.(tea.BatchMsg); ok {
		var seen []tea.Msg
		for _, cmd := range batch {
			seen = append(seen, run(update, cmd, depth+1)...)
		}
		return seen
	}
	seen := []tea.Msg{msg}
	return append(seen, run(update, update(msg), depth+1)...)
}

func run(update Updater, cmd tea.Cmd, depth int) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg, ok := await(cmd)
	if !ok {
		return nil
	}
	return deliver(update, msg, depth)
}

// await runs cmd and returns its message, or false when cmd blocks.
func await(cmd tea.Cmd) (tea.Msg, bool) {
	out := make(chan tea.Msg, 1) // buffered: a skipped command may still end
	ids := make(chan int64, 1)
	go func() {
		ids <- goroutineID()
		out <- cmd()
	}()
	g, self := <-ids, goroutineID()
	// Most commands return within microseconds; poll gently after that.
	pause := 50 * time.Microsecond
	give := time.Now().Add(limit)
	for {
		select {
		case msg := <-out:
			return msg, true
		case <-time.After(pause):
		}
		// Once the stacks say blocked, the command is skipped for good,
		// even if a timer frees it a moment later.
		s := takeSnapshot()
		if s.blocked(g, self) {
			return nil, false
		}
		if time.Now().After(give) {
			panic(fmt.Sprintf("drive: a command neither returned nor blocked within %v:\n\n%s", limit, s.busy(g, self)))
		}
		pause = min(2*pause, 5*time.Millisecond)
	}
}

// goroutineID is the current goroutine's number, as stack traces show it.
func goroutineID() int64 {
	var buf [64]byte
	id, _ := parseHeader(string(buf[:runtime.Stack(buf[:], false)]))
	return id
}

// parseHeader reads a stack's first line, "goroutine 7 [chan receive, 2
// minutes]:", as 7 and "chan receive".
func parseHeader(text string) (id int64, state string) {
	rest, ok := strings.CutPrefix(text, "goroutine ")
	num, rest, _ := strings.Cut(rest, " [")
	state, _, _ = strings.Cut(rest, "]")
	state, _, _ = strings.Cut(state, ",")
	id, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil {
		return -1, ""
	}
	return id, state
}

// snapshot is every goroutine's stack at one moment (runtime.Stack stops
// the world to take it, so it is consistent).
type snapshot map[int64]stack

// stack is one goroutine's: its state ("chan receive", "running", …) and
// its trace, innermost call first.
type stack struct {
	state, trace string
}

// snapshotBuf is reused, as a snapshot of many goroutines is a large text;
// snapshotMu guards it for tests that run in parallel.
var (
	snapshotMu  sync.Mutex
	snapshotBuf = make([]byte, 64<<10)
)

func takeSnapshot() snapshot {
	snapshotMu.Lock()
	defer snapshotMu.Unlock()
	n := runtime.Stack(snapshotBuf, true)
	for n == len(snapshotBuf) {
		snapshotBuf = make([]byte, 2*len(snapshotBuf))
		n = runtime.Stack(snapshotBuf, true)
	}
	s := snapshot{}
	for _, trace := range strings.Split(string(snapshotBuf[:n]), "\n\n") {
		if id, state := parseHeader(trace); id >= 0 {
			s[id] = stack{state: state, trace: trace}
		}
	}
	return s
}

// calls says whether the goroutine is inside a function named with one of
// prefixes; inner says to look at the innermost call only.
func (st stack) calls(prefixes []string, inner bool) bool {
	lines := strings.Split(st.trace, "\n")[1:] // past the header
	for _, l := range lines {
		if strings.HasPrefix(l, "\t") {
			continue // file and line of the call above
		}
		for _, p := range prefixes {
			if strings.HasPrefix(l, p) {
				return true
			}
		}
		if inner {
			return false
		}
	}
	return false
}

// parked are the states of a goroutine that only another goroutine, a
// timer or the outside world can end. Any other state counts as at work:
// running, runnable, in a system call, asleep (a sleep ends by itself), and
// the runtime's own short waits ("semacquire" is a goroutine waiting for the
// garbage collector, or for this very snapshot, to let it go on).
var parked = map[string]bool{
	"chan receive": true, "chan send": true, "select": true, "select (no cases)": true,
	"chan receive (nil chan)": true, "chan send (nil chan)": true,
	"sync.Cond.Wait": true, "sync.Mutex.Lock": true, "sync.RWMutex.Lock": true, "sync.RWMutex.RLock": true,
	"sync.WaitGroup.Wait": true, "IO wait": true, "trace reader (blocked)": true,
}

// listeners sit in a system call for as long as the program runs, waiting
// for the outside world: os/signal's loop, and go test -cpuprofile's reader.
var listeners = []string{"os/signal.signal_recv(", "runtime/pprof.readProfile("}

// timers are the commands that wait for a model's time to pass, which in
// a test is the test's to move: those of tea.Tick and tea.Every, and the
// blink of a text input's cursor.
var timers = []string{
	"charm.land/bubbletea/v2.Tick.",
	"charm.land/bubbletea/v2.Every.",
	"charm.land/bubbles/v2/cursor.(*Model).Blink.",
}

// waiting says whether the goroutine waits for something else to happen.
func (st stack) waiting() bool {
	if st.state == "syscall" {
		return st.calls(listeners, true)
	}
	return parked[st.state]
}

// blocked says whether goroutine g, running a command for goroutine self
// (the test, which is what could free it), is stuck: waiting for a timer,
// or waiting while every other goroutine waits too.
func (s snapshot) blocked(g, self int64) bool {
	gs, ok := s[g]
	if !ok || !gs.waiting() {
		return false // returned, or still at work
	}
	if gs.calls(timers, false) {
		return true
	}
	for id, st := range s {
		if id != self && !st.waiting() {
			return false
		}
	}
	return true
}

// busy is the trace of goroutine g and of every goroutine at work but self.
func (s snapshot) busy(g, self int64) string {
	var out []string
	for id, st := range s {
		if id == g || id != self && !st.waiting() {
			out = append(out, st.trace)
		}
	}
	return strings.Join(out, "\n\n")
}

// Key builds a key press the way the terminal parser does: "j", "K",
// "enter", "esc", "tab", "up", "down", "backspace", "space", "ctrl+c".
func Key(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	if c, ok := strings.CutPrefix(s, "ctrl+"); ok && len(c) == 1 {
		return tea.KeyPressMsg{Code: rune(c[0]), Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	if r >= 'A' && r <= 'Z' {
		return tea.KeyPressMsg{Code: r + 'a' - 'A', Text: s, Mod: tea.ModShift}
	}
	return tea.KeyPressMsg{Code: r, Text: s}
}

// Type turns text into key presses.
func Type(text string) []tea.Msg {
	out := make([]tea.Msg, 0, len(text))
	for _, r := range text {
		out = append(out, Key(string(r)))
	}
	return out
}

// Run runs cmd (an Init, say) and delivers what follows.
func Run(update Updater, cmd tea.Cmd) []tea.Msg { return run(update, cmd, 0) }
