package drive

import (
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// busy keeps a goroutine at work (never waiting) for d: a slow read of a
// loaded machine.
func busy(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
	}
}

// follow is a model that answers each message with the command cmds holds
// for it, and records what it was sent.
func follow(cmds map[tea.Msg]tea.Cmd, got *[]tea.Msg) Updater {
	return func(msg tea.Msg) tea.Cmd {
		*got = append(*got, msg)
		return cmds[msg]
	}
}

func TestSlowCommandsAreWaitedFor(t *testing.T) {
	work := make(chan string)
	go func() {
		busy(100 * time.Millisecond)
		work <- "handed over"
	}()
	var got []tea.Msg
	update := follow(map[tea.Msg]tea.Cmd{
		"start":       func() tea.Msg { busy(100 * time.Millisecond); return "read" },
		"read":        func() tea.Msg { return <-work }, // waits on a goroutine at work
		"handed over": func() tea.Msg { time.Sleep(100 * time.Millisecond); return "slept" },
	}, &got)
	Send(update, "start")
	if want := []tea.Msg{"start", "read", "handed over", "slept"}; !slices.Equal(got, want) {
		t.Fatalf("delivered %v, want %v", got, want)
	}
}

func TestBlockingCommandsAreSkipped(t *testing.T) {
	never := make(chan tea.Msg)
	t.Cleanup(func() { close(never) })
	var got []tea.Msg
	update := follow(map[tea.Msg]tea.Cmd{
		"start": tea.Batch(
			tea.Tick(time.Hour, func(time.Time) tea.Msg { return "tick" }),
			tea.Every(time.Hour, func(time.Time) tea.Msg { return "every" }),
			func() tea.Msg { return <-never },
			func() tea.Msg { return "after" },
		),
	}, &got)
	Send(update, "start")
	if want := []tea.Msg{"start", "after"}; !slices.Equal(got, want) {
		t.Fatalf("delivered %v, want %v", got, want)
	}
}

// A watch hands over the updates it holds, then waits for ever.
func TestWatchDeliversWhatItHolds(t *testing.T) {
	updates := make(chan string, 2)
	updates <- "first"
	updates <- "second"
	relay := make(chan string)
	go func() {
		defer close(relay) // ends the wait that was skipped
		for u := range updates {
			relay <- u
		}
	}()
	next := func() tea.Msg { return <-relay }
	var got []tea.Msg
	update := follow(map[tea.Msg]tea.Cmd{"first": next, "second": next}, &got)
	Run(update, next)
	if want := []tea.Msg{"first", "second"}; !slices.Equal(got, want) {
		t.Fatalf("delivered %v, want %v", got, want)
	}
	close(updates)
}
