package common

import (
	"testing"
	"time"

	"github.com/swarmtop/swarmtop/swarm"
)

func TestAgeTimerKeepsOneTimerForTheFirstChange(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	var a AgeTimer
	if a.Follow(now, time.Time{}) != nil {
		t.Error("no ages shown: no timer")
	}
	hour := now.Add(time.Hour)
	if a.Follow(now, hour) == nil {
		t.Fatal("first follow: want a timer")
	}
	if a.Follow(now, hour) != nil || a.Follow(now, hour.Add(time.Minute)) != nil {
		t.Error("a timer due by then already runs: want none")
	}
	soon := now.Add(20 * time.Millisecond)
	cmd := a.Follow(now, soon)
	if cmd == nil {
		t.Fatal("an earlier change: want a new timer")
	}
	msg, ok := cmd().(AgesDue)
	if !ok || !msg.At.Equal(soon) {
		t.Fatalf("timer sent %#v, want AgesDue at %v", msg, soon)
	}
	if a.Due(AgesDue{At: hour}) {
		t.Error("the replaced hour timer is stale")
	}
	if !a.Due(msg) {
		t.Error("the pending timer is due")
	}
	if a.Due(msg) {
		t.Error("a timer is due once")
	}
	if a.Follow(now, hour) == nil {
		t.Error("after it fired, following again needs a new timer")
	}
}

// FollowTasks wakes the view that shows the tasks when the first shown age
// changes: a task started 14.98s ago reads 15s 20ms later.
func TestFollowTasksTagsTheFirstAgeChange(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	var a AgeTimer
	if a.FollowTasks("v1", now, nil) != nil {
		t.Error("no tasks shown: no timer")
	}
	shown := []swarm.Task{{Since: now.Add(-2 * time.Hour)}, {Since: now.Add(-14*time.Second - 980*time.Millisecond)}}
	cmd := a.FollowTasks("v1", now, shown)
	if cmd == nil {
		t.Fatal("want a timer")
	}
	tagged, ok := cmd().(Tagged)
	want := now.Add(20 * time.Millisecond)
	if !ok || tagged.View != "v1" || tagged.Msg != (AgesDue{At: want}) {
		t.Fatalf("timer sent %#v, want AgesDue at %v for v1", tagged, want)
	}
}
