// Package inspect shows a service's spec as YAML, secrets hidden until
// asked for, in a scrollable viewport.
package inspect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	swarmtypes "github.com/moby/moby/api/types/swarm"
	"go.yaml.in/yaml/v4"

	"github.com/swarmtop/swarmtop/internal/termsafe"
	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/styles"
	"github.com/swarmtop/swarmtop/tui/table"
)

// KeyMap is the inspect view's own keys; scrolling uses the viewport's.
type KeyMap struct {
	Reveal, Top, Bottom key.Binding
	Scroll              viewport.KeyMap
}

// DefaultKeyMap returns the inspect keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Reveal: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reveal/hide secrets")),
		Top:    key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom: key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		Scroll: viewport.DefaultKeyMap(),
	}
}

// Model is the inspect view of one service.
type Model struct {
	common *common.Common
	svc    swarm.Service
	keys   KeyMap
	vp     viewport.Model
	reveal bool
	text   [2]string // the YAML with secrets hidden [0] and shown [1]
	err    error
	width  int
}

// New renders the service's spec; secrets start hidden.
func New(c *common.Common, svc swarm.Service) *Model {
	m := &Model{common: c, svc: svc, keys: DefaultKeyMap(), vp: viewport.New()}
	m.vp.KeyMap = m.keys.Scroll
	m.text[0], m.err = SpecYAML(svc.Spec, false)
	if m.err == nil {
		m.text[1], m.err = SpecYAML(svc.Spec, true)
	}
	m.setContent()
	return m
}

// Init does nothing: the spec is already at hand.
func (m *Model) Init() tea.Cmd { return nil }

// SetSize gives the view its area: one header row, the rest scrolls.
func (m *Model) SetSize(width, height int) {
	m.width = width
	m.vp.SetWidth(width)
	m.vp.SetHeight(max(height-1, 0))
}

// Update toggles secrets and scrolls.
func (m *Model) Update(msg tea.Msg) (common.Component, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, m.keys.Reveal):
			m.reveal = !m.reveal
			m.setContent() // same lines, so the scroll position still fits
			return m, nil
		case key.Matches(k, m.keys.Top):
			m.vp.GotoTop()
			return m, nil
		case key.Matches(k, m.keys.Bottom):
			m.vp.GotoBottom()
			return m, nil
		}
	}
	var cmd tea.Cmd
	m.vp, cmd = m.vp.Update(msg)
	return m, cmd
}

// Revealed reports whether secrets are shown.
func (m *Model) Revealed() bool { return m.reveal }

// View is the header and the visible part of the YAML.
func (m *Model) View() string {
	return m.header() + "\n" + m.vp.View()
}

func (m *Model) header() string {
	st := m.common.Styles
	left := st.Title.Render("inspect") + " " + termsafe.Clean(m.svc.FullName) +
		st.Muted.Render(fmt.Sprintf(" · v%d", m.svc.Version))
	right := st.Warning.Render("secrets hidden · r reveals")
	if m.reveal {
		right = st.Danger.Render("SECRETS SHOWN · r hides")
	}
	right += st.Muted.Render(fmt.Sprintf(" %3.f%%", m.vp.ScrollPercent()*100))
	return table.Spread(left, right, m.width)
}

func (m *Model) setContent() {
	if m.err != nil {
		m.vp.SetContent(m.common.Styles.Danger.Render("cannot show the spec: " + termsafe.Clean(m.err.Error())))
		return
	}
	text := m.text[0]
	if m.reveal {
		text = m.text[1]
	}
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = colour(l, m.common.Styles)
	}
	m.vp.SetContentLines(lines)
}

// ShortHelp is for the footer.
func (m *Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Reveal, m.keys.Scroll.Up, m.keys.Scroll.Down, m.keys.Scroll.PageDown}
}

// FullHelp is for the `?` screen.
func (m *Model) FullHelp() [][]key.Binding {
	s := m.keys.Scroll
	return [][]key.Binding{
		{m.keys.Reveal, m.keys.Top, m.keys.Bottom},
		{s.Up, s.Down, s.PageUp, s.PageDown, s.HalfPageUp, s.HalfPageDown, s.Left, s.Right},
	}
}

// SpecYAML renders a spec as YAML in the engine's field order (through
// JSON, which carries the API's field names), every string cleaned for
// the terminal, and unless reveal, secrets masked.
func SpecYAML(spec swarmtypes.ServiceSpec, reveal bool) (string, error) {
	raw, err := json.Marshal(spec)
	if err != nil {
		return "", err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return "", err
	}
	prepare(&doc, reveal)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return "", err
	}
	return b.String(), enc.Close()
}

// prepare makes the tree read as block YAML (JSON parses as flow style),
// cleans every string, and masks secrets.
func prepare(n *yaml.Node, reveal bool) {
	n.Style = 0
	if n.Kind == yaml.ScalarNode {
		n.Value = termsafe.Clean(n.Value)
		if !reveal {
			n.Value = maskURLPassword(n.Value)
		}
	}
	for _, c := range n.Content {
		prepare(c, reveal)
	}
	if n.Kind == yaml.MappingNode {
		readableDurations(n)
		if !reveal {
			maskMapping(n)
		}
	}
}

// durationFields are the spec's time.Duration fields, which JSON writes
// as nanoseconds: "Monitor: 30000000000" helps nobody at 3 a.m.
var durationFields = map[string]bool{
	"Delay": true, "Monitor": true, "Window": true, "Interval": true, "Timeout": true,
	"StartPeriod": true, "StartInterval": true, "StopGracePeriod": true,
}

func readableDurations(n *yaml.Node) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !durationFields[k.Value] || v.Kind != yaml.ScalarNode {
			continue
		}
		if ns, err := strconv.ParseInt(v.Value, 10, 64); err == nil {
			v.Value, v.Tag = time.Duration(ns).String(), "!!str"
		}
	}
}

// maskMapping hides secret values under Env (KEY=value items) and Labels
// (traefik basic-auth users, for one, live in labels).
func maskMapping(n *yaml.Node) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Value == "Env" && v.Kind == yaml.SequenceNode:
			for _, item := range v.Content {
				name, value, ok := strings.Cut(item.Value, "=")
				if ok {
					item.Value = name + "=" + MaskValue(name, value)
				}
			}
		case k.Value == "Labels" && v.Kind == yaml.MappingNode:
			for j := 0; j+1 < len(v.Content); j += 2 {
				v.Content[j+1].Value = MaskValue(v.Content[j].Value, v.Content[j+1].Value)
			}
		}
	}
}

// yamlKey finds "  - Key:" at the start of a line, to colour keys.
var yamlKey = regexp.MustCompile(`^(\s*(?:- )*)([^\s:"'-][^:]*):(\s|$)`)

// colour gives keys and masks their colours; the text is unchanged.
func colour(line string, st *styles.Styles) string {
	if loc := yamlKey.FindStringSubmatchIndex(line); loc != nil {
		line = line[:loc[4]] + st.Info.Render(line[loc[4]:loc[5]]) + line[loc[5]:]
	}
	return strings.ReplaceAll(line, Mask, st.Warning.Render(Mask))
}
