package logs

import "charm.land/bubbles/v2/key"

// KeyMap is the logs view's own keys. Each model gets its own copy from
// DefaultKeyMap, so a root that remaps keys changes one view, not a global.
type KeyMap struct {
	Follow, Up, Down, PageUp, PageDown, Top, Bottom key.Binding

	Tail, Since, Timestamps, Wrap, Reconnect, Save key.Binding

	Filter, ClearFilter, HideOthers, NextMatch, PrevMatch key.Binding
	NextSource, PrevSource                                key.Binding

	// Apply and Cancel end typing a filter.
	Apply, Cancel key.Binding
}

// DefaultKeyMap returns the logs keys.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Follow:   b([]string{"f", "space"}, "f/space", "follow/pause"),
		Up:       b([]string{"up", "k"}, "↑/k", "up"),
		Down:     b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   b([]string{"pgup", "b", "ctrl+u"}, "pgup/b", "page up"),
		PageDown: b([]string{"pgdown", "ctrl+d"}, "pgdn", "page down"),
		Top:      b([]string{"home", "g"}, "g", "oldest"),
		Bottom:   b([]string{"end", "G"}, "G", "newest, follow"),

		Tail:       b([]string{"t"}, "t", "tail 100/1000/all"),
		Since:      b([]string{"s"}, "s", "since all/1m/10m/1h"),
		Timestamps: b([]string{"T"}, "T", "timestamps"),
		Wrap:       b([]string{"w"}, "w", "wrap"),
		Reconnect:  b([]string{"r"}, "r", "reconnect"),
		Save:       b([]string{"ctrl+s"}, "ctrl+s", "save to file"),

		Filter:      b([]string{"/"}, "/", "filter (/re/ for regexp)"),
		ClearFilter: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter"), key.WithDisabled()),
		HideOthers:  b([]string{"H"}, "H", "hide/show non-matching"),
		NextMatch:   b([]string{"n"}, "n", "next match"),
		PrevMatch:   b([]string{"N"}, "N", "previous match"),
		NextSource:  b([]string{"]"}, "]", "next service/task"),
		PrevSource:  b([]string{"["}, "[", "previous service/task"),

		Apply:  b([]string{"enter"}, "enter", "apply filter"),
		Cancel: b([]string{"esc"}, "esc", "cancel"),
	}
}

// ShortHelp is for the footer.
func (m *Model) ShortHelp() []key.Binding {
	k := m.keys
	if m.typing {
		return []key.Binding{k.Apply, k.Cancel}
	}
	return []key.Binding{k.Follow, k.Filter, k.Wrap, k.NextMatch, k.NextSource, k.Tail, k.Since, k.Save}
}

// FullHelp is for the `?` screen, in columns.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.keys
	if m.typing {
		return [][]key.Binding{{k.Apply, k.Cancel}}
	}
	return [][]key.Binding{
		{k.Follow, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Filter, k.ClearFilter, k.HideOthers, k.NextMatch, k.PrevMatch, k.NextSource, k.PrevSource},
		{k.Tail, k.Since, k.Timestamps, k.Wrap, k.Reconnect, k.Save},
	}
}
