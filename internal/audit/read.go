package audit

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"time"
)

// Filter picks entries from the log.
type Filter struct {
	Stack string    // only this stack ("" for all)
	Since time.Time // only entries at or after this time (zero for all)
	// Limit keeps the newest Limit entries (0 for all). Only the end of a
	// big file is read then, so the TUI can show recent entries cheaply.
	Limit int
}

// tailBytesPerEntry is how much of the file's end Read scans per wanted
// entry: lines are clipped well below it.
const tailBytesPerEntry = 4096

// Read returns the entries that match f, oldest first. A missing file is
// an empty log. Lines that are not JSON (a crash mid-write on a filesystem
// without atomic appends, a hand edit) are skipped, not fatal: the rest of
// the log is still worth showing.
func Read(path string, f Filter) ([]Entry, error) {
	file, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer file.Close()
	r, err := tail(file, f.Limit)
	if err != nil {
		return nil, err
	}
	var out []Entry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		var e Entry
		if json.Unmarshal(sc.Bytes(), &e) != nil || !f.match(e) {
			continue
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	return out, nil
}

func (f Filter) match(e Entry) bool {
	return (f.Stack == "" || e.Stack == f.Stack) && !e.Time.Before(f.Since)
}

// tail positions file near its end when only the last limit entries are
// wanted, dropping the partial first line.
func tail(file *os.File, limit int) (io.Reader, error) {
	if limit <= 0 {
		return file, nil
	}
	info, err := file.Stat()
	if err != nil {
		return nil, err
	}
	start := info.Size() - int64(limit)*tailBytesPerEntry
	if start <= 0 {
		return file, nil
	}
	if _, err := file.Seek(start-1, io.SeekStart); err != nil {
		return nil, err
	}
	br := bufio.NewReader(file)
	// Reading from one byte early keeps a line that starts exactly at start.
	if _, err := br.ReadBytes('\n'); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return br, nil
}

// Verdicts maps each change's ID to the verdict line about it, so a table
// can show a change with its outcome on one row.
func Verdicts(entries []Entry) map[string]Entry {
	out := map[string]Entry{}
	for _, e := range entries {
		if e.Ref != "" {
			out[e.Ref] = e
		}
	}
	return out
}
