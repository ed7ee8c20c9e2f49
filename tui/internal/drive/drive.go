// Package drive runs Bubble Tea models in tests without a terminal: it
// feeds messages to Update and runs the commands that come back, giving
// each a short time to answer so blocking waits (watches, ticks) are
// skipped rather than hanging the test.
package drive

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Wait is how long a command may take before it is skipped.
const Wait = 40 * time.Millisecond

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
	ch := make(chan tea.Msg, 1)
	go func() { ch <- cmd() }()
	select {
	case msg := <-ch:
		return deliver(update, msg, depth)
	case <-time.After(Wait):
		return nil
	}
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
