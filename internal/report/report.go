// Package report is the plain-text wording of swarmtop's results, shared by
// the command line and the TUI: what a diff found, what a deploy will do and
// what it did. Functions return lines with a Kind that says what a line
// means (ok, warning …); the TUI colours them by it, the command line
// prints them with Write. Every engine string is cleaned (internal/termsafe)
// before it is put in a line.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/swarmtop/swarmtop/internal/termsafe"
)

// Kind is what a line means; it carries no colour.
type Kind int

const (
	Normal Kind = iota
	OK
	Muted
	Warning
	Danger
)

// Line is one line of a report. An empty Text is a blank separating line.
type Line struct {
	Text string
	Kind Kind
}

// Clean makes engine text safe to print and keeps it on one line, with
// runs of white space made one space.
func Clean(s string) string {
	return strings.Join(strings.Fields(termsafe.Clean(s)), " ")
}

// value makes an engine value safe to print, its spacing kept (a diff must
// show "a  b" and "a b" apart), and an empty one visible.
func value(v string) string {
	if v == "" {
		return "(none)"
	}
	return termsafe.Clean(v)
}

// Plural counts things: "1 service", "3 services".
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Write prints lines, one a line, for the command line.
func Write(w io.Writer, lines ...Line) {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	io.WriteString(w, b.String())
}
