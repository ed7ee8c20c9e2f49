// Package render turns swarm objects into table rows: one pure renderer per
// resource (Header + Row), in the manner of k9s. No styles, no I/O: the
// table widget colours rows by their Tone.
package render

import (
	"fmt"
	"time"

	"github.com/swarmtop/swarmtop/internal/report"
)

// Tone is how a row should look: it carries meaning, not colour.
type Tone int

const (
	ToneNormal Tone = iota
	ToneOK
	ToneMuted
	ToneWarning
	ToneDanger
)

// Column describes one column: its title and how far it may shrink or
// grow. Drop marks columns left out first when the terminal is narrow.
type Column struct {
	Title    string
	Min, Max int
	Drop     bool
}

// Row is one rendered object: cells in column order, and its tone.
type Row struct {
	Cells []string
	Tone  Tone
}

// Clean makes engine text safe to print and keeps it on one line. Every
// view that prints engine text on one line uses it.
func Clean(s string) string {
	return report.Clean(s)
}

// Age renders how long ago t was, in the largest unit that fits: 45s, 3m,
// 2h, 5d. The zero time renders as "-".
func Age(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	switch {
	case d < 0:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}

// NextAgeChange is when Age(t, ·) next reads differently after now; the
// zero time for the zero t, whose age is always "-".
func NextAgeChange(t, now time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	d := now.Sub(t)
	var unit time.Duration
	switch {
	case d < 0:
		return t.Add(time.Second) // "0s" until a second has passed
	case d < time.Minute:
		unit = time.Second
	case d < time.Hour:
		unit = time.Minute
	case d < 48*time.Hour:
		unit = time.Hour
	default:
		unit = 24 * time.Hour
	}
	return now.Add(unit - d%unit)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
