package tui

import (
	"context"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/internal/drive"
	"github.com/swarmtop/swarmtop/tui/internal/fakebe"
	"github.com/swarmtop/swarmtop/tui/live"
)

// The TUI budgets (BENCHMARKS.md, "TUI budgets"): rendering a stack of
// 1,000 services and 10,000 tasks must stay within 16 ms a frame. These
// benchmarks print the figures; nothing is asserted.

// BenchmarkRender1000Services is one frame of the root model (View, as
// Bubble Tea calls it) on the stack view of 1,000 services with 10 tasks
// each, at the two sizes the goldens use.
func BenchmarkRender1000Services(b *testing.B) {
	snap := bigSnapshot(1000, 10)
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			m := loadedModel(b, snap, sz.w, sz.h)
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkUpdate1000Services is what a changed snapshot costs: the watch
// update rebuilds both tables, then one frame is drawn.
func BenchmarkUpdate1000Services(b *testing.B) {
	snap := bigSnapshot(1000, 10)
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			m := loadedModel(b, snap, sz.w, sz.h)
			update := common.Tagged{View: m.views[0].id, Msg: live.Msg{Update: swarm.WatchUpdate{Snapshot: snap}}}
			b.ReportAllocs()
			for b.Loop() {
				m.Update(update)
				_ = m.View()
			}
		})
	}
}

// BenchmarkKey1000Services is a key moving the selection (which re-picks
// the selected service's tasks out of 10,000) and the frame after it.
func BenchmarkKey1000Services(b *testing.B) {
	snap := bigSnapshot(1000, 10)
	for _, sz := range sizes {
		b.Run(sz.name, func(b *testing.B) {
			m := loadedModel(b, snap, sz.w, sz.h)
			down, up := drive.Key("j"), drive.Key("k")
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				key := down
				if i%200 >= 100 { // go down 100 rows, then back up
					key = up
				}
				i++
				m.Update(key)
				_ = m.View()
			}
		})
	}
}

// loadedModel is the root on the stack view of snap, with the first watch
// update delivered, at w×h.
func loadedModel(b *testing.B, snap swarm.Snapshot, w, h int) *Model {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	be := fakebe.New()
	be.Snapshot = snap
	m := New(ctx, be, Options{Stack: snap.Stack, Clock: fakebe.Clock})
	update := func(msg tea.Msg) tea.Cmd { _, cmd := m.Update(msg); return cmd }
	drive.Send(update, tea.WindowSizeMsg{Width: w, Height: h})
	drive.Run(update, m.Init())
	if got := m.stackView().Services(); len(got) != len(snap.Services) {
		b.Fatalf("stack view shows %d services, want %d", len(got), len(snap.Services))
	}
	return m
}

// bigSnapshot is a stack of n replicated services with perService tasks
// each: half current (running), half history (failed, with an error).
func bigSnapshot(n, perService int) swarm.Snapshot {
	snap := swarm.Snapshot{Stack: "big", Taken: fakebe.Now,
		Nodes: []swarm.Node{{ID: "n1", Hostname: "manager-1", Role: "manager", Availability: "active",
			Status: "ready", EngineVersion: "29.0.1", Leader: true}}}
	current := max(perService/2, 1)
	for i := range n {
		replicas := uint64(current)
		svc := swarm.Service{ID: fmt.Sprintf("svc%04d", i), Name: fmt.Sprintf("service-%04d", i),
			FullName: fmt.Sprintf("big_service-%04d", i), Stack: "big", Mode: swarm.ModeReplicated,
			Image: "registry.example.com/big/app:1." + fmt.Sprint(i%7), Replicas: &replicas,
			Running: replicas, Desired: replicas, Health: swarm.HealthHealthy, Converged: true,
			Ports: []string{fmt.Sprintf("%d:8000/tcp", 20000+i)}}
		snap.Services = append(snap.Services, svc)
		for j := range perService {
			t := swarm.Task{ID: fmt.Sprintf("task%04d-%02d", i, j), ServiceID: svc.ID, Service: svc.Name,
				Slot: j%current + 1, NodeID: "n1", Node: "manager-1", State: "running", DesiredState: "running",
				Since: fakebe.Now.Add(-time.Duration(i+j) * time.Minute), Image: svc.Image, Current: j < current}
			if !t.Current {
				t.State, t.DesiredState, t.Failed, t.ExitCode = "failed", "shutdown", true, 1
				t.Err = "task: non-zero exit (1)"
			}
			snap.Tasks = append(snap.Tasks, t)
		}
	}
	return snap
}
