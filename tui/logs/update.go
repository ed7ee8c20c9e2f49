package logs

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// handleKey acts on a key when no filter is being typed.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	m.notice = ""
	if m.navigate(msg) {
		return nil
	}
	return m.command(msg)
}

// navigate handles the keys that move through the buffer.
func (m *Model) navigate(msg tea.KeyPressMsg) bool {
	k, page := m.keys, max(m.bodyHeight()-1, 1)
	switch {
	case key.Matches(msg, k.Follow):
		m.toggleFollow()
	case key.Matches(msg, k.Up):
		m.scroll(-1)
	case key.Matches(msg, k.Down):
		m.scroll(1)
	case key.Matches(msg, k.PageUp):
		m.scroll(-page)
	case key.Matches(msg, k.PageDown):
		m.scroll(page)
	case key.Matches(msg, k.Top):
		m.pause()
		m.setTop(0)
	case key.Matches(msg, k.Bottom):
		m.follow = true
	case key.Matches(msg, k.NextMatch):
		m.jumpMatch(true)
	case key.Matches(msg, k.PrevMatch):
		m.jumpMatch(false)
	default:
		return false
	}
	return true
}

// command handles the keys that change what is shown or read.
func (m *Model) command(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Tail):
		m.tailIdx = (m.tailIdx + 1) % len(tailPresets)
		return m.subscribe()
	case key.Matches(msg, k.Since):
		m.sinceIdx = (m.sinceIdx + 1) % len(sincePresets)
		return m.subscribe()
	case key.Matches(msg, k.Reconnect):
		return m.subscribe()
	case key.Matches(msg, k.Save):
		return m.save()
	case key.Matches(msg, k.Filter):
		return m.startFilter()
	case key.Matches(msg, k.Timestamps):
		m.timestamps = !m.timestamps // lines always carry their time
	case key.Matches(msg, k.Wrap):
		m.wrap = !m.wrap
	case key.Matches(msg, k.ClearFilter):
		m.HandleBack()
	case key.Matches(msg, k.HideOthers):
		m.showAll = !m.showAll
		m.reindex()
	case key.Matches(msg, k.NextSource):
		m.cycleSource(1)
	case key.Matches(msg, k.PrevSource):
		m.cycleSource(-1)
	}
	return nil
}

// startFilter opens the filter input with the current query.
func (m *Model) startFilter() tea.Cmd {
	m.typing, m.prevFilter = true, m.filter
	m.input.SetValue(m.filter.raw)
	m.input.CursorEnd()
	return m.input.Focus()
}

// typeFilter edits the query; the filter applies as it is typed, so the
// operator sees at once whether it finds anything. esc restores the filter
// as it was.
func (m *Model) typeFilter(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Apply):
		m.typing = false
		m.input.Blur()
		return nil
	case key.Matches(msg, m.keys.Cancel):
		m.typing = false
		m.input.Blur()
		m.notice = ""
		m.setFilter(m.prevFilter)
		return nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	f, err := parseFilter(m.input.Value())
	if err != nil { // e.g. half-typed /a(b/: keep the last good filter
		m.notice, m.noticeErr = err.Error(), true
		return cmd
	}
	m.notice = ""
	m.setFilter(f)
	return cmd
}

// pause stops the scrolling where the screen is; lines keep coming in.
func (m *Model) pause() {
	if !m.follow {
		return
	}
	m.follow = false
	m.pausedAt = m.buf.end()
	m.top = m.buf.end()
	if len(m.shown) > 0 {
		m.top = m.shown[m.followTop()]
	}
}

func (m *Model) toggleFollow() {
	if m.follow {
		m.pause()
		return
	}
	m.follow = true
}

// topIndex is the index in shown of the line at the top of the screen.
func (m *Model) topIndex() int {
	if m.follow {
		return m.followTop()
	}
	return min(m.shown.search(m.top), max(len(m.shown)-1, 0))
}

// followTop is the top line's index when the newest line is at the bottom.
func (m *Model) followTop() int {
	h, rows := m.bodyHeight(), 0
	for i := len(m.shown) - 1; i >= 0; i-- {
		rows += m.rowsOf(m.buf.at(m.shown[i]))
		if rows >= h {
			return i
		}
	}
	return 0
}

func (m *Model) setTop(i int) {
	if len(m.shown) > 0 {
		m.top = m.shown[max(min(i, len(m.shown)-1), 0)]
	}
}

// scroll moves by n lines. Scrolling up pauses; scrolling down to the
// newest line follows again, as in a chat.
func (m *Model) scroll(n int) {
	m.pause()
	i := m.topIndex() + n
	if n > 0 && i >= m.followTop() {
		m.follow = true
		return
	}
	m.setTop(i)
}

// jumpMatch moves to the next (or previous) line matching the filter,
// wrapping around, and pauses there so the line stays put.
func (m *Model) jumpMatch(forward bool) {
	if len(m.hits) == 0 {
		m.notice, m.noticeErr = "no matches", false
		return
	}
	i := m.nextHit(forward)
	if i < 0 || i >= len(m.hits) {
		i = 0
		if !forward {
			i = len(m.hits) - 1
		}
		m.notice, m.noticeErr = "search wrapped", false
	}
	m.match, m.hasMatch = m.hits[i], true
	m.pause()
	// Put the match a third of the way down, with context above it, but
	// never leave the bottom of the screen empty.
	at := m.shown.search(m.match) - m.bodyHeight()/3
	m.setTop(max(min(at, m.followTop()), 0))
}

// nextHit is the index in hits after (or before) the current match, or
// relative to the screen when there is none yet; out of range means wrap.
func (m *Model) nextHit(forward bool) int {
	switch {
	case m.hasMatch && forward:
		return m.hits.search(m.match + 1)
	case m.hasMatch:
		return m.hits.search(m.match) - 1
	case m.follow && !forward: // the newest match first
		return len(m.hits) - 1
	case forward && len(m.shown) > 0:
		return m.hits.search(m.shown[m.topIndex()])
	}
	return m.hits.search(m.top) - 1
}
