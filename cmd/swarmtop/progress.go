package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/swarmtop/swarmtop/internal/termsafe"
	"github.com/swarmtop/swarmtop/swarm"
)

// progressPrinter shows Converge's progress. On a terminal it keeps one
// line per service and redraws them in place; anywhere else (a CI log, a
// pipe) it prints a service's line only when it changes, with no escape
// codes.
type progressPrinter struct {
	out   io.Writer
	tty   bool
	width int
	order []string          // services in the order first seen
	lines map[string]string // the latest line of each service
	drawn int               // lines of the redrawn block now on screen
}

// maxSlotsShown keeps a line readable for a service with many replicas.
const maxSlotsShown = 20

func newProgressPrinter(out io.Writer) *progressPrinter {
	p := &progressPrinter{out: out, lines: map[string]string{}, width: progressWidth()}
	if f, ok := out.(*os.File); ok {
		p.tty = isCharDevice(f)
	}
	return p
}

// isCharDevice: golang.org/x/term is not among the module's dependencies,
// and a character device is what a terminal looks like to Stat.
func isCharDevice(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progressWidth is $COLUMNS when the shell exports it, else 80. Redrawn
// lines are cut to it: a line that wrapped would break the redraw.
func progressWidth() int {
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 20 {
		return n
	}
	return 80
}

// update takes one service's progress.
func (p *progressPrinter) update(pr swarm.Progress) {
	line := progressLine(pr)
	old, seen := p.lines[pr.Service]
	if seen && old == line {
		return
	}
	if !seen {
		p.order = append(p.order, pr.Service)
	}
	p.lines[pr.Service] = line
	if !p.tty {
		fmt.Fprintln(p.out, line)
		return
	}
	p.redraw()
}

// redraw moves the cursor back to the top of the block and rewrites it.
func (p *progressPrinter) redraw() {
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn)
	}
	for _, svc := range p.order {
		b.WriteString("\r\x1b[2K")
		b.WriteString(cutRunes(p.lines[svc], p.width-1))
		b.WriteByte('\n')
	}
	p.drawn = len(p.order)
	io.WriteString(p.out, b.String())
}

// progressLine is one service's state in a line:
//
//	web  updating  1/2  1:running 2:running(old)  1/2 running
func progressLine(pr swarm.Progress) string {
	parts := []string{termsafe.Clean(pr.Service)}
	if pr.UpdateState != "" {
		parts = append(parts, pr.UpdateState)
	}
	parts = append(parts, fmt.Sprintf("%d/%d", pr.Running, pr.Desired))
	if slots := slotsText(pr.Slots); slots != "" {
		parts = append(parts, slots)
	}
	if pr.Message != "" {
		parts = append(parts, "- "+termsafe.Clean(pr.Message))
	}
	if err := firstSlotErr(pr.Slots); err != "" {
		parts = append(parts, "- last task error: "+termsafe.Clean(err))
	}
	return strings.Join(parts, "  ")
}

// slotsText is each slot's state: "1:running" for a replica, "node-1:running"
// for a global service, "(old)" while a slot still runs the previous spec.
func slotsText(slots []swarm.SlotProgress) string {
	var words []string
	for i, s := range slots {
		if i == maxSlotsShown {
			words = append(words, fmt.Sprintf("…%d more", len(slots)-i))
			break
		}
		name := strconv.Itoa(s.Slot)
		if s.Slot == 0 {
			name = s.Node
		}
		w := termsafe.Clean(name) + ":" + s.State
		if !s.UpToDate {
			w += "(old)"
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

func firstSlotErr(slots []swarm.SlotProgress) string {
	for _, s := range slots {
		if s.Err != "" {
			return s.Err
		}
	}
	return ""
}

// cutRunes shortens s to n runes.
func cutRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
