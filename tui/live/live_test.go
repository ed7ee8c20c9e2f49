package live

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/swarmtop/swarmtop/swarm"
)

type chanWatcher chan swarm.WatchUpdate

func (c chanWatcher) Watch(context.Context, string, swarm.WatchOptions) <-chan swarm.WatchUpdate {
	return c
}

// Start and Next hand the watch's updates over one by one, and say when
// it has ended.
func TestStartNextAndClose(t *testing.T) {
	ch := make(chanWatcher, 2)
	taken := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	ch <- swarm.WatchUpdate{Snapshot: swarm.Snapshot{Stack: "shop", Taken: taken}}
	ch <- swarm.WatchUpdate{Err: errors.New("boom")}
	close(ch)

	first := Start(context.Background(), ch, "shop")().(Msg)
	if first.Closed || first.Update.Snapshot.Stack != "shop" {
		t.Fatalf("first = %+v", first)
	}
	second := Next(first)().(Msg)
	if second.Closed || second.Update.Err == nil {
		t.Fatalf("second = %+v", second)
	}
	last := Next(second)().(Msg)
	if !last.Closed {
		t.Fatalf("after the channel closed: %+v", last)
	}
	if Next(last) != nil {
		t.Error("a closed watch has no next update")
	}
}

// Apply keeps the last good snapshot through errors and disconnections,
// cleans the error for the terminal and clears it on the next good read.
func TestApplyKeepsTheLastGoodSnapshot(t *testing.T) {
	taken := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	good := swarm.Snapshot{Stack: "shop", Taken: taken, Services: []swarm.Service{{Name: "web", FullName: "shop_web"}}}
	var s State
	s.Apply(Msg{Update: swarm.WatchUpdate{Snapshot: good}})
	if !s.Loaded || s.Err != "" || s.Disconnected {
		t.Fatalf("after a good read: %+v", s)
	}
	lost := taken.Add(time.Second)
	s.Apply(Msg{Update: swarm.WatchUpdate{Err: errors.New("engine \x1b[31mgone"), Disconnected: true, Since: lost}})
	if !s.Loaded || !s.Snapshot.Taken.Equal(taken) || !s.Disconnected || !s.Since.Equal(lost) {
		t.Fatalf("an error update dropped the snapshot or the disconnection: %+v", s)
	}
	if s.Err == "" || s.Err == "engine \x1b[31mgone" {
		t.Errorf("error not cleaned for the terminal: %q", s.Err)
	}
	s.Apply(Msg{Closed: true})
	if !s.Disconnected || s.Err == "" {
		t.Error("a closed watch changed the state")
	}
	s.Apply(Msg{Update: swarm.WatchUpdate{Snapshot: good}})
	if s.Err != "" || s.Disconnected {
		t.Errorf("a good read did not clear the error: %+v", s)
	}
	if svc, ok := s.Service("web"); !ok || svc.FullName != "shop_web" {
		t.Errorf("Service(web) = %+v, %v", svc, ok)
	}
	if _, ok := s.Service("shop_web"); ok {
		t.Error("Service looks services up by short name only")
	}
}
