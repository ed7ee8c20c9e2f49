package logs

import (
	"sort"
	"time"

	"github.com/swarmtop/swarmtop/swarm"
)

// addLines stores a batch. The work per line is constant (store, classify,
// index), so a batch costs the same whatever the buffer holds.
func (m *Model) addLines(lines []swarm.LogLine) {
	for _, l := range lines {
		m.track(l)
		e := entry{LogLine: l, prefix: l.Prefix()}
		m.noteSource(&e)
		seq := m.buf.end()
		m.buf.add(e)
		m.index(seq, &e)
	}
	first := m.buf.first()
	m.shown.trim(first)
	m.hits.trim(first)
	if m.hasMatch && m.match < first {
		m.hasMatch = false
	}
}

// track follows the connection to the engine, as the stream's Notes tell
// it, and the newest line's time, where a reopened stream starts.
func (m *Model) track(l swarm.LogLine) {
	switch {
	case l.Link == swarm.LinkLost:
		m.lost, m.lostSince = true, l.Time
	case l.Link == swarm.LinkBack:
		m.lost, m.lostSince = false, time.Time{}
	case !l.Note:
		m.lost, m.lostSince = false, time.Time{}
		if l.Time.After(m.lastLine) {
			m.lastLine = l.Time
		}
	}
}

// index adds a stored line to the shown and hit lists as it qualifies.
func (m *Model) index(seq uint64, e *entry) {
	if !m.fromSource(e) {
		return
	}
	hit := m.filter.active() && m.filter.match(e.Text)
	if hit {
		m.hits = append(m.hits, seq)
	}
	if hit || !m.filter.active() || m.showAll {
		m.shown = append(m.shown, seq)
	}
}

// reindex rebuilds the lists after the filter, the source or showAll
// changed: one pass over the buffer, bounded by its size.
func (m *Model) reindex() {
	m.shown, m.hits = m.shown[:0], m.hits[:0]
	for seq := m.buf.first(); seq < m.buf.end(); seq++ {
		m.index(seq, m.buf.at(seq))
	}
	if m.hasMatch && !m.isHit(m.match) {
		m.hasMatch = false
	}
}

func (m *Model) clearLines() {
	m.lastLine = time.Time{}
	m.buf.reset()
	m.shown, m.hits = m.shown[:0], m.hits[:0]
	m.follow, m.hasMatch = true, false
}

func (m *Model) fromSource(e *entry) bool {
	switch {
	case m.source.prefix != "":
		return e.prefix == m.source.prefix
	case m.source.service != "":
		return e.Service == m.source.service
	}
	return true
}

func (m *Model) isHit(seq uint64) bool {
	i := m.hits.search(seq)
	return i < len(m.hits) && m.hits[i] == seq
}

// noteSource remembers services and tasks for the ] and [ keys and the
// width of the prefix column.
func (m *Model) noteSource(e *entry) {
	tasks := m.sources[e.Service]
	if tasks == nil {
		tasks = map[string]bool{}
		m.sources[e.Service] = tasks
	}
	tasks[e.prefix] = true
	m.prefixWidth = max(m.prefixWidth, len(e.prefix))
}

// sourceList is the ] / [ cycle: all, then each service followed by its
// tasks, in name order.
func (m *Model) sourceList() []source {
	list := []source{{}}
	services := make([]string, 0, len(m.sources))
	for s := range m.sources {
		services = append(services, s)
	}
	sort.Strings(services)
	for _, s := range services {
		list = append(list, source{service: s})
		tasks := make([]string, 0, len(m.sources[s]))
		for p := range m.sources[s] {
			tasks = append(tasks, p)
		}
		sort.Strings(tasks)
		for _, p := range tasks {
			list = append(list, source{service: s, prefix: p})
		}
	}
	return list
}

// cycleSource selects the next (step 1) or previous (-1) source.
func (m *Model) cycleSource(step int) {
	list := m.sourceList()
	at := 0
	for i, s := range list {
		if s == m.source {
			at = i
		}
	}
	m.source = list[(at+step+len(list))%len(list)]
	m.reindex()
}

// setFilter applies a filter to the whole buffer.
func (m *Model) setFilter(f filter) {
	m.filter = f
	m.keys.ClearFilter.SetEnabled(f.active())
	m.reindex()
}
