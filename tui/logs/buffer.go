package logs

import (
	"sort"

	"github.com/swarmtop/swarmtop/swarm"
)

// DefaultBufferSize is how many lines a logs view keeps. It bounds memory
// whatever the rate of the logs: a service writing 10,000 lines a second
// costs the same as a quiet one.
const DefaultBufferSize = 5000

// entry is a stored line with what rendering needs every frame, computed
// once when the line arrives.
type entry struct {
	swarm.LogLine
	prefix string // service.slot@node
}

// ring keeps the newest lines up to a fixed capacity. Lines are addressed
// by sequence number (0 for the first line ever added), so positions that
// the view holds (top line, current match) stay valid while old lines fall
// out at the front.
type ring struct {
	lines []entry
	size  int    // capacity
	next  uint64 // sequence number of the next line
}

func newRing(size int) *ring {
	size = max(size, 1)
	return &ring{lines: make([]entry, 0, min(size, 1024)), size: size}
}

// add stores e, dropping the oldest line when full.
func (r *ring) add(e entry) {
	if len(r.lines) < r.size {
		r.lines = append(r.lines, e)
	} else {
		r.lines[r.next%uint64(r.size)] = e
	}
	r.next++
}

// first is the sequence number of the oldest line held.
func (r *ring) first() uint64 { return r.next - uint64(len(r.lines)) }

// end is one past the newest line's sequence number.
func (r *ring) end() uint64 { return r.next }

func (r *ring) len() int { return len(r.lines) }

// at returns the line with sequence number seq, which must be held.
func (r *ring) at(seq uint64) *entry { return &r.lines[seq%uint64(r.size)] }

// reset forgets every line; sequence numbers keep growing so stale
// positions never point at new lines.
func (r *ring) reset() {
	r.next += uint64(r.size) // skip past every old slot
	r.next -= r.next % uint64(r.size)
	r.lines = r.lines[:0]
}

// seqList is a sorted list of sequence numbers: the lines shown, or the
// lines that match the filter. It is kept in step with the ring, so it is
// bounded by the ring's size too.
type seqList []uint64

// trim drops the numbers of lines no longer held.
func (s *seqList) trim(first uint64) {
	i := s.search(first)
	if i == 0 {
		return
	}
	// Copy down instead of re-slicing when most of the backing array would
	// be wasted, so the list cannot creep through memory.
	if i > len(*s)/2 {
		*s = append((*s)[:0], (*s)[i:]...)
		return
	}
	*s = (*s)[i:]
}

// search is the index of the first number >= seq.
func (s seqList) search(seq uint64) int {
	return sort.Search(len(s), func(i int) bool { return s[i] >= seq })
}

// countFrom is how many numbers are >= seq.
func (s seqList) countFrom(seq uint64) int { return len(s) - s.search(seq) }
