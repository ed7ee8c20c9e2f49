// Package fakebe is a fake engine for UI tests: fixed data at a fixed
// time, and a record of every action asked for.
package fakebe

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/swarmtop/swarmtop/swarm"
)

// Now is the fixed moment every fixture is relative to.
var Now = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// Clock returns Now.
func Clock() time.Time { return Now }

// Backend answers reads from its fields and records actions.
type Backend struct {
	mu       sync.Mutex
	Snapshot swarm.Snapshot
	StackSet []swarm.StackSummary
	NodeSet  []swarm.Node
	Updates  chan swarm.WatchUpdate // when set, Watch serves these instead
	Calls    []string
	Verdict  swarm.VerdictKind

	// Stack-file answers: extra field changes per service for Diff, an
	// error for Diff, and an error for ApplyDeploy.
	OtherChanges map[string][]swarm.FieldChange
	DiffErr      error
	DeployErr    error
	DiffCalls    int
	// Watches counts the watches started.
	Watches int
}

// New is a backend holding the shop fixture.
func New() *Backend {
	snap := Shop()
	return &Backend{Snapshot: snap, NodeSet: snap.Nodes, Verdict: swarm.Converged,
		StackSet: []swarm.StackSummary{
			{Name: "monitoring", Services: 3, RunningTasks: 3, DesiredTasks: 3},
			{Name: "shop", Services: 5, RunningTasks: 6, DesiredTasks: 7},
		}}
}

// Watch sends the snapshot once (or relays Updates) until ctx ends.
func (b *Backend) Watch(ctx context.Context, stack string, _ swarm.WatchOptions) <-chan swarm.WatchUpdate {
	out := make(chan swarm.WatchUpdate, 1)
	b.mu.Lock()
	snap, updates := b.Snapshot, b.Updates
	b.Watches++
	b.mu.Unlock()
	go func() {
		defer close(out)
		if updates == nil {
			out <- swarm.WatchUpdate{Snapshot: snap}
			<-ctx.Done()
			return
		}
		for {
			select {
			case u := <-updates:
				out <- u
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

func (b *Backend) Stacks(context.Context) ([]swarm.StackSummary, error) { return b.StackSet, nil }
func (b *Backend) Nodes(context.Context) ([]swarm.Node, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.NodeSet, nil
}

func (b *Backend) record(call string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.Calls = append(b.Calls, call)
}

// WatchCount is how many watches were started.
func (b *Backend) WatchCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Watches
}

// CallList is a copy of the recorded calls.
func (b *Backend) CallList() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.Calls...)
}

func (b *Backend) Scale(_ context.Context, stack string, targets map[string]uint64) ([]swarm.Change, error) {
	var out []swarm.Change
	for name, n := range targets {
		b.record("scale " + stack + " " + name + " " + strconv.FormatUint(n, 10))
		out = append(out, swarm.Change{Service: name, Action: swarm.ActionScale, Before: "2", After: strconv.FormatUint(n, 10)})
	}
	return out, nil
}

func (b *Backend) Restart(_ context.Context, stack string, services []string) ([]swarm.Change, error) {
	b.record("restart " + stack + " " + services[0])
	return []swarm.Change{{Service: services[0], Action: swarm.ActionRestart}}, nil
}

func (b *Backend) SetImage(_ context.Context, stack, service, image string) (swarm.Change, error) {
	b.record("image " + stack + " " + service + " " + image)
	return swarm.Change{Service: service, Action: swarm.ActionImage, After: image}, nil
}

func (b *Backend) Rollback(_ context.Context, stack string, services []string) ([]swarm.Change, error) {
	b.record("rollback " + stack + " " + services[0])
	return nil, errors.New("cannot rollback " + services[0] + ": it has no previous spec")
}

// Converge reports one progress per change, then the configured verdict.
func (b *Backend) Converge(_ context.Context, changes []swarm.Change, _ swarm.ConvergeOptions, onProgress func(swarm.Progress)) []swarm.Verdict {
	out := make([]swarm.Verdict, len(changes))
	for i, c := range changes {
		onProgress(swarm.Progress{Service: c.Service, Running: 2, Desired: 3, Slots: []swarm.SlotProgress{
			{Slot: 1, Node: "manager-1", State: "running", UpToDate: true},
			{Slot: 3, Node: "manager-1", State: "starting", UpToDate: true},
		}})
		out[i] = swarm.Verdict{Service: c.Service, Kind: b.Verdict, Elapsed: 4 * time.Second}
	}
	return out
}

func (b *Backend) Logs(context.Context, string, swarm.LogOptions) (*swarm.LogStream, error) {
	return nil, errors.New("no logs in the fake")
}
