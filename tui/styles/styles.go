// Package styles builds every style swarmtop uses from one small palette,
// with light and dark variants. Styles are values passed down from the root,
// never package globals.
package styles

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Palette is the semantic colours; everything else derives from it.
type Palette struct {
	Primary, Muted, Text, Subtle color.Color
	OK, Warning, Danger, Info    color.Color
	SelectedBg, HeaderBg         color.Color
}

// Styles is every style the views use.
type Styles struct {
	NoColor bool

	Title, Header              lipgloss.Style
	TableHeader, Row, Selected lipgloss.Style
	OK, Warning, Danger, Info  lipgloss.Style
	Muted, Subtle, Highlight   lipgloss.Style
	Dialog, DialogTitle        lipgloss.Style
}

// DarkPalette and LightPalette pick readable colours for each background.
func DarkPalette() Palette {
	return Palette{
		Primary: lipgloss.Color("#7aa2f7"), Muted: lipgloss.Color("#737aa2"),
		Text: lipgloss.Color("#c0caf5"), Subtle: lipgloss.Color("#414868"),
		OK: lipgloss.Color("#9ece6a"), Warning: lipgloss.Color("#e0af68"),
		Danger: lipgloss.Color("#f7768e"), Info: lipgloss.Color("#7dcfff"),
		SelectedBg: lipgloss.Color("#283457"), HeaderBg: lipgloss.Color("#1f2335"),
	}
}

func LightPalette() Palette {
	return Palette{
		Primary: lipgloss.Color("#2e7de9"), Muted: lipgloss.Color("#6172b0"),
		Text: lipgloss.Color("#3760bf"), Subtle: lipgloss.Color("#a8aecb"),
		OK: lipgloss.Color("#587539"), Warning: lipgloss.Color("#8c6c3e"),
		Danger: lipgloss.Color("#c64343"), Info: lipgloss.Color("#007197"),
		SelectedBg: lipgloss.Color("#b7c1e3"), HeaderBg: lipgloss.Color("#d0d5e3"),
	}
}

// New builds the styles for a background; noColor (NO_COLOR) keeps only
// bold/reverse so selection stays visible without colour.
func New(isDark, noColor bool) *Styles {
	switch {
	case noColor:
		return plain()
	case isDark:
		return fromPalette(DarkPalette())
	}
	return fromPalette(LightPalette())
}

func fromPalette(p Palette) *Styles {
	base := lipgloss.NewStyle().Foreground(p.Text)
	return &Styles{
		Title:       lipgloss.NewStyle().Bold(true).Foreground(p.Primary),
		Header:      lipgloss.NewStyle().Background(p.HeaderBg).Foreground(p.Text),
		TableHeader: lipgloss.NewStyle().Bold(true).Foreground(p.Primary),
		Row:         base,
		Selected:    lipgloss.NewStyle().Background(p.SelectedBg).Foreground(p.Text).Bold(true),
		OK:          lipgloss.NewStyle().Foreground(p.OK),
		Warning:     lipgloss.NewStyle().Foreground(p.Warning),
		Danger:      lipgloss.NewStyle().Foreground(p.Danger).Bold(true),
		Info:        lipgloss.NewStyle().Foreground(p.Info),
		Muted:       lipgloss.NewStyle().Foreground(p.Muted),
		Subtle:      lipgloss.NewStyle().Foreground(p.Subtle),
		Highlight:   lipgloss.NewStyle().Reverse(true),
		Dialog:      lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(p.Primary).Padding(0, 1),
		DialogTitle: lipgloss.NewStyle().Bold(true).Foreground(p.Primary),
	}
}

func plain() *Styles {
	s := lipgloss.NewStyle()
	return &Styles{
		NoColor: true,
		Title:   s.Bold(true), Header: s,
		TableHeader: s.Bold(true), Row: s, Selected: s.Reverse(true),
		OK: s, Warning: s, Danger: s.Bold(true), Info: s,
		Muted: s, Subtle: s, Highlight: s.Reverse(true),
		Dialog:      s.Border(lipgloss.RoundedBorder()).Padding(0, 1),
		DialogTitle: s.Bold(true),
	}
}
