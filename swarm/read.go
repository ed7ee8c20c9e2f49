package swarm

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

// The read model: plain data the TUI and the CLI render. It is built from
// the engine's lists by BuildSnapshot, a pure function, so it can be tested
// and benchmarked without an engine.

// StackSummary is one line of the stacks list.
type StackSummary struct {
	Name         string `json:"name"`
	Services     int    `json:"services"`
	RunningTasks uint64 `json:"runningTasks"`
	DesiredTasks uint64 `json:"desiredTasks"`
}

// Service is one service of a stack as an operator looks at it.
type Service struct {
	ID       string `json:"id"`
	Name     string `json:"name"` // short name: web
	FullName string `json:"fullName"`
	Stack    string `json:"stack"`
	// Image is the spec's image without its digest pin, for display.
	Image string `json:"image"`
	// Mode is replicated, global, replicated-job or global-job.
	Mode      string `json:"mode"`
	Running   uint64 `json:"running"`
	Desired   uint64 `json:"desired"`
	Completed uint64 `json:"completed"`
	// Replicas is the spec's replica count (or a job's total completions);
	// nil for global modes.
	Replicas      *uint64  `json:"replicas,omitempty"`
	UpdateState   string   `json:"updateState,omitempty"`
	UpdateMessage string   `json:"updateMessage,omitempty"`
	Ports         []string `json:"ports"`
	Version       uint64   `json:"version"`
	Health        Health   `json:"health"`
	// Converged: every desired task runs (or a job has nothing left to run)
	// and no update or rollback is in progress.
	Converged bool `json:"converged"`
	// Spec is the spec as the engine returned it; left out of JSON output,
	// which is for people and scripts, not for writing back.
	Spec            swarm.ServiceSpec `json:"-"`
	HasPreviousSpec bool              `json:"hasPreviousSpec"`
	UpdatedAt       time.Time         `json:"updatedAt"`
}

// Task is one task of a service, current or from the slot's history.
type Task struct {
	ID        string `json:"id"`
	ServiceID string `json:"serviceId"`
	Service   string `json:"service"` // short name
	Slot      int    `json:"slot"`    // 0 for global services
	NodeID    string `json:"nodeId"`
	Node      string `json:"node"` // hostname, or the node ID when the node is gone
	State     string `json:"state"`
	// DesiredState is what the orchestrator wants: running, ready (waiting
	// for a restart delay), complete (jobs) or shutdown (history).
	DesiredState string `json:"desiredState"`
	// Since is the status timestamp: how long the task has been in State.
	Since time.Time `json:"since"`
	// Err is the engine's failure text, in full: truncating it hides the
	// one line an operator needs ("no suitable node (...)").
	Err         string `json:"err,omitempty"`
	ExitCode    int    `json:"exitCode"`
	Image       string `json:"image"`
	ContainerID string `json:"containerId,omitempty"`
	// Failed: the task ended badly (failed, rejected, a service task that
	// exited by itself, a shutdown with an error) or carries an error
	// before it could run ("no suitable node").
	Failed bool `json:"failed"`
	// Current marks the task that stands for its slot now (see isCurrent);
	// the others are history.
	Current bool   `json:"current"`
	Health  Health `json:"health"`
}

// Node is one swarm node.
type Node struct {
	ID            string `json:"id"`
	Hostname      string `json:"hostname"`
	Role          string `json:"role"`
	Availability  string `json:"availability"`
	Status        string `json:"status"`
	EngineVersion string `json:"engineVersion"`
	Addr          string `json:"addr"`
	Leader        bool   `json:"leader"`
	// Tasks counts the running tasks on the node: the stack's in a
	// Snapshot, every service's in Engine.Nodes.
	Tasks int `json:"tasks"`
}

// Snapshot is everything known about one stack at one moment.
type Snapshot struct {
	Stack    string    `json:"stack"`
	Services []Service `json:"services"`
	// Tasks holds current tasks and history, sorted by service, then slot
	// (node for global services), newest first.
	Tasks []Task    `json:"tasks"`
	Nodes []Node    `json:"nodes"`
	Taken time.Time `json:"taken"`
}

// ReadStack reads one stack's services, tasks and the swarm's nodes: three
// calls made at once, each about 1–2 ms over the local socket for a small
// stack. On a big one the tasks are by far the longest list to send and to
// decode, and set the pace. The lists are fetched and decoded by
// decode_fetch.go and decode.go, not by the moby client: its full decoding
// of a big stack's tasks took ten times as long as all the rest.
//
// A swarm role check that Connect deferred runs beside the reads, and its
// error comes first: a node that is no manager says so, not a list's 503.
func (e *Engine) ReadStack(ctx context.Context, stack string) (Snapshot, error) {
	var snap Snapshot
	err := inParallel(e.awaitRole, func() (err error) {
		snap, _, err = e.readStack(ctx, stack, nil)
		return err
	})
	return snap, err
}

// readStack is ReadStack with the node list given, or read with the rest
// when nodes is nil (the watch caches it between node events). It returns
// the nodes the snapshot was built from.
func (e *Engine) readStack(ctx context.Context, stack string, nodes []swarm.Node) (Snapshot, []swarm.Node, error) {
	var services []swarm.Service
	var tasks []swarm.Task
	readNodes := nodes == nil
	err := inParallel(
		func() (err error) { services, err = e.listServices(ctx, stackFilter(stack), true); return err },
		func() (err error) { tasks, err = e.stackTasks(ctx, stack); return err },
		func() (err error) {
			if readNodes {
				nodes, err = e.listNodes(ctx)
			}
			return err
		},
	)
	if err != nil {
		return Snapshot{}, nil, err
	}
	return BuildSnapshot(stack, services, tasks, nodes, time.Now()), nodes, nil
}

// inParallel runs the calls at once and returns the first error in
// argument order, so a failure reads the same whichever call ends first.
func inParallel(calls ...func() error) error {
	errs := make([]error, len(calls))
	var wg sync.WaitGroup
	for i, call := range calls {
		wg.Go(func() { errs[i] = call() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// stackTasks lists a stack's tasks, history included, with the fields the
// read model uses (see decodeTasks). The label filter on tasks matches
// service labels, which is where the namespace lives.
func (e *Engine) stackTasks(ctx context.Context, stack string) ([]swarm.Task, error) {
	return e.listTasks(ctx, stackFilter(stack))
}

// Stacks lists the stacks on the swarm, found by the namespace label that
// `docker stack deploy` and swarmtop put on services, sorted by name.
func (e *Engine) Stacks(ctx context.Context) ([]StackSummary, error) {
	services, err := e.listServices(ctx, nil, true)
	if err != nil {
		return nil, err
	}
	if missingStatus(services) {
		tasks, err := e.allTasks(ctx)
		if err != nil {
			return nil, err
		}
		services = withStatusFromTasks(services, tasks)
	}
	return summarizeStacks(services), nil
}

func summarizeStacks(services []swarm.Service) []StackSummary {
	index := map[string]int{}
	var out []StackSummary
	for _, s := range services {
		name := s.Spec.Labels[NamespaceLabel]
		if name == "" {
			continue
		}
		i, ok := index[name]
		if !ok {
			i = len(out)
			index[name] = i
			out = append(out, StackSummary{Name: name})
		}
		out[i].Services++
		if st := s.ServiceStatus; st != nil {
			out[i].RunningTasks += st.RunningTasks
			out[i].DesiredTasks += st.DesiredTasks
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func missingStatus(services []swarm.Service) bool {
	for _, s := range services {
		if s.ServiceStatus == nil {
			return true
		}
	}
	return false
}

// allTasks lists every task in the swarm: the fallback for counts on a
// mixed-version swarm, where an older manager leaves ServiceStatus out.
func (e *Engine) allTasks(ctx context.Context) ([]swarm.Task, error) {
	return e.listTasks(ctx, nil)
}

// Nodes lists the swarm's nodes by hostname, each with the number of tasks
// running on it across all services.
func (e *Engine) Nodes(ctx context.Context) ([]Node, error) {
	nodes, _, err := e.nodesAndRunning(ctx)
	return nodes, err
}
