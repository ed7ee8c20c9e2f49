package ops

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/swarm"
)

// fakeActor records the calls ops makes and answers them at once.
type fakeActor struct {
	calls    []string
	progress []swarm.Progress
	verdicts []swarm.Verdict
	drain    swarm.DrainProgress
}

func (f *fakeActor) Scale(_ context.Context, stack string, _ map[string]uint64) ([]swarm.Change, error) {
	f.calls = append(f.calls, "scale "+stack)
	return nil, nil
}

func (f *fakeActor) Restart(_ context.Context, stack string, services []string) ([]swarm.Change, error) {
	f.calls = append(f.calls, "restart "+stack+" "+strings.Join(services, ","))
	return []swarm.Change{{Service: services[0], Action: swarm.ActionRestart}}, nil
}

func (f *fakeActor) SetImage(context.Context, string, string, string) (swarm.Change, error) {
	return swarm.Change{}, errors.New("not used")
}

func (f *fakeActor) Rollback(context.Context, string, []string) ([]swarm.Change, error) {
	return nil, errors.New("not used")
}

func (f *fakeActor) Release(context.Context, string, string, string) ([]swarm.Change, []swarm.SkippedService, error) {
	return nil, nil, errors.New("not used")
}

func (f *fakeActor) ApplyDeploy(context.Context, *swarm.DeployPlan) (*swarm.DeployResult, error) {
	return nil, errors.New("not used")
}

func (f *fakeActor) Converge(_ context.Context, changes []swarm.Change, _ swarm.ConvergeOptions, onProgress func(swarm.Progress)) []swarm.Verdict {
	f.calls = append(f.calls, "converge "+strings.Repeat("+", len(changes)))
	for _, p := range f.progress {
		onProgress(p)
	}
	return f.verdicts
}

func (f *fakeActor) SetNodeAvailability(_ context.Context, node, availability string) (swarm.NodeChange, error) {
	f.calls = append(f.calls, "node "+node+" "+availability)
	return swarm.NodeChange{NodeID: node, Node: "node-1", Before: swarm.AvailabilityActive, After: availability}, nil
}

func (f *fakeActor) WaitNodeDrained(_ context.Context, _ swarm.NodeChange, onProgress func(swarm.DrainProgress)) (swarm.DrainProgress, error) {
	onProgress(f.drain)
	return f.drain, nil
}

// next runs the command that waits for a started op's next message; it
// fails the test rather than hang.
func next(t *testing.T, s Started) tea.Msg {
	t.Helper()
	got := make(chan tea.Msg, 1)
	go func() { got <- Next(s)() }()
	select {
	case msg := <-got:
		return msg
	case <-time.After(5 * time.Second):
		t.Fatal("no message from the started op")
		return nil
	}
}

func TestStartFollowsAnOpToItsVerdict(t *testing.T) {
	a := &fakeActor{
		progress: []swarm.Progress{{Service: "web", Running: 1, Desired: 3}},
		verdicts: []swarm.Verdict{{Service: "web", Kind: swarm.Converged, Elapsed: 4 * time.Second}},
	}
	op := Op{Kind: Restart, Stack: "shop", Service: "web", FullName: "shop_web"}
	started, ok := Start(context.Background(), a, 7, op)().(Started)
	if !ok || started.ID != 7 || len(started.Changes) != 1 {
		t.Fatalf("Start gave %#v", started)
	}
	if p, ok := next(t, started).(ProgressMsg); !ok || p.ID != 7 || p.Progress.Running != 1 {
		t.Fatalf("first message %#v, want the progress", p)
	}
	done, ok := next(t, started).(Done)
	if !ok || done.ID != 7 || done.Err != nil || len(done.Verdicts) != 1 {
		t.Fatalf("last message %#v, want the verdict", done)
	}
	if want := "restart shop web|converge +"; strings.Join(a.calls, "|") != want {
		t.Errorf("calls %q, want %q", strings.Join(a.calls, "|"), want)
	}
	st := Status{ID: 7, Op: op, Done: true, Verdicts: done.Verdicts}
	if !st.OK() || st.Line() != "✓ restart web: web converged in 4s" {
		t.Errorf("status %v %q", st.OK(), st.Line())
	}
}

func TestStartRefusesABadValueWithoutCallingTheEngine(t *testing.T) {
	a := &fakeActor{}
	done, ok := Start(context.Background(), a, 1, Op{Kind: Scale, Stack: "shop", Service: "web", To: "many"})().(Done)
	if !ok || done.Err == nil || len(a.calls) != 0 {
		t.Errorf("got %#v, calls %v", done, a.calls)
	}
}

func TestNodeOps(t *testing.T) {
	a := &fakeActor{}
	done, ok := Start(context.Background(), a, 2, Op{Kind: NodePause, Node: "node-1", NodeID: "n1", To: swarm.AvailabilityPause})().(Done)
	if !ok || done.Node == nil || !done.Node.OK() || done.Node.Text() != "active → pause" {
		t.Fatalf("pause gave %#v", done)
	}

	a.drain = swarm.DrainProgress{Node: "node-1", Moved: 2, Pending: 1}
	started, ok := Start(context.Background(), a, 3, Op{Kind: NodeDrain, Node: "node-1", NodeID: "n1", To: swarm.AvailabilityDrain})().(Started)
	if !ok {
		t.Fatal("a drain is followed until its tasks run elsewhere")
	}
	if p, ok := next(t, started).(ProgressMsg); !ok || p.Drain == nil {
		t.Fatalf("first message %#v, want the drain's progress", p)
	}
	done, ok = next(t, started).(Done)
	if !ok || done.Node == nil || done.Node.OK() {
		t.Fatalf("a drain with a pending task gave %#v", done)
	}
	st := Status{Op: Op{Kind: NodeDrain, Node: "node-1"}, Done: true, Node: done.Node}
	if st.OK() || !strings.HasPrefix(st.Line(), "✗ node drain node-1: active → drain · ") {
		t.Errorf("status %v %q", st.OK(), st.Line())
	}
}

// Task errors and engine messages quote what containers wrote: the status
// line shows them on one line with every control sequence gone.
func TestStatusLineCleansEngineText(t *testing.T) {
	hostile := "exit 1: \x1b]52;c;cHduZWQ=\x07boom\r\n\x1b[2Jagain"
	op := Op{Kind: Scale, Service: "web", From: "2", To: "3"}
	lines := []string{
		Status{Op: op, Err: errors.New(hostile)}.Line(),
		Status{Op: op, Done: true, Verdicts: []swarm.Verdict{{Service: "web", Kind: swarm.Failed, Message: hostile, TaskErrors: []string{hostile}}}}.Line(),
		Status{Op: op, Progress: &swarm.Progress{Service: "web", Running: 1, Desired: 3, UpdateState: hostile,
			Slots: []swarm.SlotProgress{{Slot: 2, Node: "node-1", State: "failed", Err: hostile}}}}.Line(),
	}
	for _, l := range lines {
		if strings.ContainsAny(l, "\x1b\x07\r\n") || !strings.Contains(l, "boom again") {
			t.Errorf("not cleaned to one line: %q", l)
		}
	}
	// The op's own words name what the engine named: a node's hostname.
	node := Status{Op: Op{Kind: NodeDrain, Node: "node-1\x1b]52;c;cHduZWQ=\x07\r\nx"}}.Line()
	if strings.ContainsAny(node, "\x1b\x07\r\n") || !strings.Contains(node, "drain node-1 x") {
		t.Errorf("hostname not cleaned: %q", node)
	}
}

func TestProgressTextListsTheSlotsStillToGo(t *testing.T) {
	p := swarm.Progress{Service: "web", Running: 2, Desired: 3, UpdateState: "updating", Slots: []swarm.SlotProgress{
		{Slot: 1, State: "running", UpToDate: true},
		{Slot: 2, State: "running"},
		{Slot: 3, State: "starting", UpToDate: true},
	}}
	if got, want := ProgressText(p), "2/3 running · updating · web.2 running (old), web.3 starting"; got != want {
		t.Errorf("ProgressText = %q, want %q", got, want)
	}
	global := swarm.Progress{Service: "agent", Running: 0, Desired: 1, Slots: []swarm.SlotProgress{{Node: "node-2", State: "pending", UpToDate: true}}}
	if got, want := ProgressText(global), "0/1 running · agent@node-2 pending"; got != want {
		t.Errorf("ProgressText = %q, want %q", got, want)
	}
}
