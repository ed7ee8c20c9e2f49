// Package activity keeps what happened during this run (swarm events, every
// operation and its verdict) and shows it, newest first.
package activity

import (
	"time"

	"github.com/swarmtop/swarmtop/tui/render"
)

// Capacity bounds the log so a long session does not grow without end.
const Capacity = 1000

// Entry is one line of the log.
type Entry struct {
	At   time.Time
	Kind string // event, action, verdict, error
	Text string // already sanitised
	Tone render.Tone
}

// Log is the run's activity. The root owns it and appends from Update, so
// it needs no locking.
type Log struct {
	entries []Entry
	added   int // entries ever added: unlike len(entries), it moves on at Capacity
}

// Add appends an entry, dropping the oldest beyond Capacity.
func (l *Log) Add(e Entry) {
	l.added++
	l.entries = append(l.entries, e)
	if len(l.entries) > Capacity {
		l.entries = l.entries[len(l.entries)-Capacity:]
	}
}

// Entries are the entries, oldest first.
func (l *Log) Entries() []Entry { return l.entries }

// Added counts every entry ever added, dropped ones included, so a reader
// can tell the log changed even when it is full.
func (l *Log) Added() int { return l.added }
