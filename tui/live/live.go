// Package live follows one stack with swarm Watch from inside tea.Cmds:
// one Cmd per update, re-armed by the view after each, so no goroutine
// ever touches a model.
package live

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/internal/termsafe"
	"github.com/swarmtop/swarmtop/swarm"
)

// Watcher is what a live view needs; *swarm.Engine satisfies it.
type Watcher interface {
	Watch(ctx context.Context, stack string, opts swarm.WatchOptions) <-chan swarm.WatchUpdate
}

// Msg is one update of a watch. Closed: the watch ended (its context was
// cancelled), nothing more will come.
type Msg struct {
	Update swarm.WatchUpdate
	Closed bool
	ch     <-chan swarm.WatchUpdate
}

// Start begins watching and waits for the first update.
func Start(ctx context.Context, w Watcher, stack string) tea.Cmd {
	return func() tea.Msg {
		return receive(w.Watch(ctx, stack, swarm.WatchOptions{}))
	}
}

// Next waits for the update after m.
func Next(m Msg) tea.Cmd {
	if m.Closed {
		return nil
	}
	ch := m.ch
	return func() tea.Msg { return receive(ch) }
}

// Shared is an update of another view's watch of the same stack, handed on
// by the root so that a view opened over a live view needs no watch of its
// own (a second stream of engine reads). Its receiver applies it and does
// not call Next: the watch belongs to the view that started it.
type Shared struct{ Msg Msg }

func receive(ch <-chan swarm.WatchUpdate) Msg {
	u, ok := <-ch
	return Msg{Update: u, Closed: !ok, ch: ch}
}

// State is what a view keeps of a watch.
type State struct {
	Snapshot     swarm.Snapshot
	Loaded       bool // a first read arrived
	Err          string
	Disconnected bool
	Since        time.Time // when the disconnection began
}

// Apply folds an update in.
func (s *State) Apply(m Msg) {
	if m.Closed {
		return
	}
	u := m.Update
	s.Disconnected, s.Since = u.Disconnected, u.Since
	s.Err = ""
	if u.Err != nil {
		s.Err = termsafe.Clean(u.Err.Error())
	}
	if !u.Snapshot.Taken.IsZero() {
		s.Snapshot, s.Loaded = u.Snapshot, true
	}
}

// ConnText says since when the engine is lost: "disconnected since
// 14:03:07 (12s)". While disconnected the watch sends an update
// about every second, so the count goes on without a ticker of its own.
func (s *State) ConnText(now time.Time) string {
	return swarm.DisconnectedText(s.Since, now)
}

// Service finds a service of the snapshot by short name.
func (s *State) Service(name string) (swarm.Service, bool) {
	for _, svc := range s.Snapshot.Services {
		if svc.Name == name {
			return svc, true
		}
	}
	return swarm.Service{}, false
}
