package logs

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
)

// savedMsg reports a ctrl+s.
type savedMsg struct {
	path  string
	lines int
	err   error
}

// save writes the lines on display (the filter and source applied: what
// you see is what you get) to swarmtop-<stack>-<time>.log. The lines are
// copied now; the file is written off the UI goroutine.
func (m *Model) save() tea.Cmd {
	lines := make([]swarm.LogLine, len(m.shown))
	for i, seq := range m.shown {
		lines[i] = m.buf.at(seq).LogLine
	}
	name := fmt.Sprintf("swarmtop-%s-%s", fileSafe(m.stack), m.now().UTC().Format("20060102-150405"))
	dir := m.saveDir
	return m.tag(func() tea.Msg {
		path, err := writeLog(dir, name, lines)
		return savedMsg{path: path, lines: len(lines), err: err}
	})
}

func (m *Model) saved(msg savedMsg) {
	if msg.err != nil {
		m.notice, m.noticeErr = "save failed: "+msg.err.Error(), true
		return
	}
	m.notice, m.noticeErr = fmt.Sprintf("saved %d lines to %s", msg.lines, msg.path), false
}

// writeLog creates a new file, never overwriting one (two saves in the
// same second get -2, -3 …), readable by the owner only: logs often hold
// what should not leak.
func writeLog(dir, name string, lines []swarm.LogLine) (string, error) {
	for n := 1; n < 100; n++ {
		file := name + ".log"
		if n > 1 {
			file = fmt.Sprintf("%s-%d.log", name, n)
		}
		path := filepath.Join(dir, file)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		return displayPath(dir, path), writeLines(f, lines)
	}
	return "", fmt.Errorf("%s: too many files of that name", name)
}

func writeLines(f *os.File, lines []swarm.LogLine) error {
	w := bufio.NewWriter(f)
	for _, l := range lines {
		fmt.Fprintf(w, "%s %s | %s\n", l.Time.UTC().Format(time.RFC3339Nano), l.Prefix(), l.Text)
	}
	return errors.Join(w.Flush(), f.Close())
}

// displayPath says ./file for the working directory, so the operator sees
// at once where it went.
func displayPath(dir, path string) string {
	if dir == "." || dir == "" {
		return "." + string(filepath.Separator) + filepath.Base(path)
	}
	return path
}

// fileSafe keeps a stack name usable in a file name.
func fileSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == '.' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') {
			return r
		}
		return '_'
	}, s)
}
