package render

import (
	"slices"
	"testing"
	"time"

	"github.com/swarmtop/swarmtop/swarm"
)

var now = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

func TestServiceRow(t *testing.T) {
	r := uint64(2)
	s := swarm.Service{Name: "web\x1b[31m", Mode: "replicated", Running: 1, Desired: 2, Replicas: &r,
		Image: "registry.example.com/shop/web:1.4.2", UpdateState: "updating", Ports: []string{"80:80/tcp"},
		Health: swarm.HealthStarting}
	row := ServiceRow(s)
	want := []string{"web", "repl", "1/2", "web:1.4.2", "updating", "80:80/tcp", "starting"}
	if !slices.Equal(row.Cells, want) {
		t.Fatalf("cells = %q, want %q", row.Cells, want)
	}
	if row.Tone != ToneWarning {
		t.Errorf("tone = %v", row.Tone)
	}
	if len(row.Cells) != len(ServiceHeader()) {
		t.Error("row and header differ in length")
	}
}

func TestJobReplicas(t *testing.T) {
	if got := Replicas(swarm.Service{Mode: "replicated-job", Completed: 1, Desired: 1}); got != "1/1 done" {
		t.Fatal(got)
	}
}

func TestTaskRowKeepsFullErrorInDetail(t *testing.T) {
	long := "No such image: registry.example.com/shop/web:missing (pull access denied)"
	task := swarm.Task{Service: "web", Slot: 2, Node: "m1", State: "rejected", DesiredState: "shutdown",
		Since: now.Add(-90 * time.Second), Err: long, Current: true, Failed: true}
	row := TaskRow(task, 3, now)
	want := []string{"web.2", "m1", "rejected 1m", "shutdown", "3", long}
	if !slices.Equal(row.Cells, want) || row.Tone != ToneDanger {
		t.Fatalf("row = %+v", row)
	}
	if got := TaskDetail(task); got != "web.2 rejected: "+long {
		t.Fatal(got)
	}
	if got := SlotName(swarm.Task{Service: "agent", Node: "m1"}); got != "agent@m1" {
		t.Fatal(got)
	}
}

func TestSlotTasksCountsRestarts(t *testing.T) {
	tasks := []swarm.Task{
		{ServiceID: "a", Slot: 1, Current: true},
		{ServiceID: "a", Slot: 1},
		{ServiceID: "a", Slot: 1},
		{ServiceID: "a", Slot: 2, Current: true},
		{ServiceID: "b", Slot: 1, Current: true},
	}
	got, restarts := SlotTasks(tasks, "a", false)
	if len(got) != 2 || !slices.Equal(restarts, []int{2, 0}) {
		t.Fatalf("got %d tasks, restarts %v", len(got), restarts)
	}
	got, _ = SlotTasks(tasks, "a", true)
	if len(got) != 4 {
		t.Fatalf("with history: %d tasks", len(got))
	}
}

func TestNodeAndStackRows(t *testing.T) {
	n := NodeRow(swarm.Node{Hostname: "m1", Role: "manager", Leader: true, Availability: "drain", Status: "ready", Tasks: 4})
	if !slices.Equal(n.Cells, []string{"m1", "manager (leader)", "drain", "ready", "-", "4"}) || n.Tone != ToneWarning {
		t.Fatalf("node row = %+v", n)
	}
	s := StackRow(swarm.StackSummary{Name: "shop", Services: 5, RunningTasks: 6, DesiredTasks: 7})
	if !slices.Equal(s.Cells, []string{"shop", "5", "6/7"}) || s.Tone != ToneWarning {
		t.Fatalf("stack row = %+v", s)
	}
}

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{5 * time.Second: "5s", 3 * time.Minute: "3m", 5 * time.Hour: "5h", 72 * time.Hour: "3d"} {
		if got := Age(now.Add(-d), now); got != want {
			t.Errorf("Age(%v) = %s, want %s", d, got, want)
		}
	}
	if Age(time.Time{}, now) != "-" {
		t.Error("zero time")
	}
}

// NextAgeChange is the first moment Age reads differently: checked against
// Age itself, a tick before and at the moment.
func TestNextAgeChange(t *testing.T) {
	tests := []struct {
		age, wantIn time.Duration
	}{
		{-500 * time.Millisecond, 1500 * time.Millisecond}, // "0s" until a second has passed
		{0, time.Second},
		{14*time.Second + 300*time.Millisecond, 700 * time.Millisecond},
		{59 * time.Second, time.Second}, // 59s → 1m
		{3*time.Minute + 20*time.Second, 40 * time.Second},
		{59*time.Minute + 59*time.Second, time.Second}, // 59m → 1h
		{5*time.Hour + 30*time.Minute, 30 * time.Minute},
		{47*time.Hour + 30*time.Minute, 30 * time.Minute}, // 47h → 2d
		{72*time.Hour + time.Hour, 23 * time.Hour},
	}
	for _, tt := range tests {
		started := now.Add(-tt.age)
		next := NextAgeChange(started, now)
		if got := next.Sub(now); got != tt.wantIn {
			t.Errorf("age %v: next change in %v, want %v", tt.age, got, tt.wantIn)
		}
		if before := next.Add(-time.Millisecond); Age(started, before) != Age(started, now) {
			t.Errorf("age %v: Age changed before %v", tt.age, next)
		}
		if Age(started, next) == Age(started, now) {
			t.Errorf("age %v: Age still %s at %v", tt.age, Age(started, now), next)
		}
	}
	if !NextAgeChange(time.Time{}, now).IsZero() {
		t.Error("the zero time's age never changes")
	}
}

func TestTaskRowsPairTasksWithRestarts(t *testing.T) {
	tasks := []swarm.Task{{Service: "web", Slot: 1, Since: now}, {Service: "web", Slot: 2, Since: now}}
	rows := TaskRows(tasks, []int{0, 3}, now)
	if len(rows) != 2 || rows[0].Cells[0] != "web.1" || rows[1].Cells[4] != "3" {
		t.Fatalf("rows = %+v", rows)
	}
}

func TestFileNamesLeaveOutDirectories(t *testing.T) {
	if got := FileNames([]string{"/srv/shop/stack.yml", "prod.yml"}); got != "stack.yml + prod.yml" {
		t.Errorf("FileNames = %q", got)
	}
}
