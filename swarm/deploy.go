package swarm

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/swarmtop/swarmtop/stackfile"
)

// Deploy does what `docker stack deploy` does, through the API, with the
// traps of stack-deploy.md §5 handled:
//
//   - Everything is read and checked before anything is written: the file
//     converts for this engine's API version, external networks, secrets
//     and configs exist, no config's data changed, no service changes mode.
//   - Secrets and configs go first, then networks: a secret whose data
//     changed (Swarm only lets labels change) stops the deploy before any
//     network or service is touched. Only services' networks are created.
//   - Job services (replicated-job, global-job: the migration) run first
//     with the new spec, and the other services change only once every job
//     completed. A failing job ends the deploy with its task errors.
//   - A service whose spec equals the live one is not written at all: no
//     version bump, no rolling restart, no job re-run. A job is re-run only
//     when its spec changed or its last run failed.
//   - A replica count someone changed live is kept (the file's count
//     applies with ResetReplicas), ForceUpdate is carried over, and a live
//     image pinned to a digest stays pinned while the file's image is
//     unchanged. The registry is never queried.
//   - Services are written one at a time in name order; on the first
//     failure the deploy stops, and the result says what was done.
//   - Prune removes stack services that left the file, after the jobs and
//     before the other services (a renamed service frees its ports).
//
// Objects carry the labels `docker stack deploy` writes, so the docker CLI
// keeps working on stacks deployed here and the other way round.

// ActionDeploy marks a Change made by Deploy.
const ActionDeploy = "deploy"

// The kinds of object a deploy handles.
const (
	KindNetwork = "network"
	KindSecret  = "secret"
	KindConfig  = "config"
	KindService = "service"
)

// ObjectAction is what a deploy did, or for a plan will do, to an object.
type ObjectAction string

const (
	ObjectCreated   ObjectAction = "created"
	ObjectUpdated   ObjectAction = "updated"
	ObjectUnchanged ObjectAction = "unchanged"
	ObjectRemoved   ObjectAction = "removed"
	ObjectFailed    ObjectAction = "failed"
	ObjectSkipped   ObjectAction = "skipped" // not attempted: the deploy stopped before it
)

// DeployObject is one network, secret, config or service of the deploy.
type DeployObject struct {
	Kind   string
	Name   string // services by short name (web), the rest by engine name (shop_backend)
	Action ObjectAction
	Detail string // what changes, why it was kept, or the error
}

// DeployOptions tunes a deploy. The zero value deploys like `docker stack
// deploy` would, less its traps.
type DeployOptions struct {
	// Prune removes the stack's services that are not in the file.
	Prune bool
	// DryRun plans and writes nothing.
	DryRun bool
	// ResetReplicas applies the file's replica counts even where someone
	// scaled a service since (by default the live count is kept).
	ResetReplicas bool
	// JobTimeout bounds the wait for each job service to complete
	// (default 10 minutes).
	JobTimeout time.Duration
	// Progress, if set, is told how each job service is doing while the
	// deploy waits for it.
	Progress func(Progress)
}

// defaultJobTimeout is generous: a migration may take minutes.
const defaultJobTimeout = 10 * time.Minute

// DeployResult is what a deploy did, or (DryRun, or a plan) will do.
type DeployResult struct {
	Stack  string
	DryRun bool
	// Objects are every object of the deploy in the order it handles them:
	// secrets, configs, networks, jobs, removals, services.
	Objects []DeployObject
	// Changes are the services created or updated, for Converge. Jobs are
	// among them, already completed.
	Changes []Change
	// Jobs are the verdicts of the job services the deploy waited for.
	Jobs []Verdict
	// Notes say what the deploy kept as it runs and why: replica counts,
	// pinned images, services not in the file.
	Notes []string
	// Warnings are what the engine said when services were written.
	Warnings []string
	// Diff is the file against the live stack, before the deploy.
	Diff StackDiff
}

// Deploy brings the stack to what the file says: PlanDeploy, then, unless
// DryRun, ApplyDeploy. On an error after planning, the result says which
// objects were created, updated, unchanged, failed or not attempted.
func (e *Engine) Deploy(ctx context.Context, st *stackfile.Stack, opts DeployOptions) (*DeployResult, error) {
	if !opts.DryRun {
		if err := e.refuseWrite(ActionDeploy); err != nil {
			return nil, err
		}
	}
	plan, err := e.PlanDeploy(ctx, st, opts)
	if err != nil {
		return nil, err
	}
	if opts.DryRun {
		res := plan.DeployResult
		return &res, nil
	}
	return e.ApplyDeploy(ctx, plan)
}

// DeployPlan is a deploy worked out from the file and the engine without
// writing anything. Its result shows each object's planned action.
type DeployPlan struct {
	DeployResult
	opts  DeployOptions
	steps []deployStep
	// IDs of existing secrets and configs by name, as planned from.
	secretIDs    map[string]string
	configIDs    map[string]string
	networkNames map[string]string // network ID → name
}

// deployStep writes one object. It returns the object's final action and
// detail (a secret whose labels did not change is "unchanged").
type deployStep struct {
	object int // index in Objects
	run    func(ctx context.Context, d *deployRun) (ObjectAction, string, error)
}

// deployRun is the state of one ApplyDeploy.
type deployRun struct {
	e    *Engine
	plan *DeployPlan
	res  *DeployResult
	// IDs of secrets and configs by name, with the ones this run created.
	secretIDs map[string]string
	configIDs map[string]string
}

// ApplyDeploy carries out a plan, in order, and stops at the first error.
// Services were planned from a read that may be stale by now: a service
// written in between is read again and re-planned.
func (e *Engine) ApplyDeploy(ctx context.Context, plan *DeployPlan) (*DeployResult, error) {
	res := plan.DeployResult
	// The plan's own stay as planned; a retried write may replace notes.
	res.Objects, res.Notes = slices.Clone(plan.Objects), slices.Clone(plan.Notes)
	if err := e.refuseWrite(ActionDeploy); err != nil {
		markNotAttempted(&res, plan.steps, nil)
		return &res, err
	}
	res.DryRun = false
	d := &deployRun{e: e, plan: plan, res: &res, secretIDs: maps.Clone(plan.secretIDs), configIDs: maps.Clone(plan.configIDs)}
	ran := map[int]bool{}
	for _, step := range plan.steps {
		ran[step.object] = true
		obj := &res.Objects[step.object]
		written := len(res.Changes)
		action, detail, err := step.run(ctx, d)
		e.auditStep(&res, *obj, written, action, detail, err)
		if err != nil {
			if EngineLost(err) {
				err = &EngineLostError{Host: e.Host, Err: err} // exit 3, naming the engine
			}
			obj.Action, obj.Detail = ObjectFailed, err.Error()
			markNotAttempted(&res, plan.steps, ran)
			return &res, &DeployError{Object: *obj, Err: err}
		}
		obj.Action, obj.Detail = action, detail
	}
	return &res, nil
}

// markNotAttempted marks the objects of the steps that did not run.
func markNotAttempted(res *DeployResult, steps []deployStep, ran map[int]bool) {
	for _, s := range steps {
		if ran[s.object] {
			continue
		}
		obj := &res.Objects[s.object]
		obj.Detail = fmt.Sprintf("not attempted (would have been %s)", obj.Action)
		obj.Action = ObjectSkipped
	}
}

// DeployError is a deploy that stopped at one object. The result returned
// with it says what was done before.
type DeployError struct {
	Object DeployObject
	Err    error
}

func (e *DeployError) Error() string {
	return fmt.Sprintf("deploy stopped at %s %s: %v", e.Object.Kind, e.Object.Name, e.Err)
}

func (e *DeployError) Unwrap() error { return e.Err }

// ExitCode is 1, or the wrapped error's own (2 for a file that must change,
// 3 for an engine lost on the way).
func (e *DeployError) ExitCode() int {
	var coded interface{ ExitCode() int }
	if errors.As(e.Err, &coded) {
		return coded.ExitCode()
	}
	return 1
}

// ImmutableDataError is a secret or config whose data differs from the
// live object's. Swarm lets only labels change; the way out is a new name.
type ImmutableDataError struct {
	Kind string // secret or config
	Name string
}

func (e *ImmutableDataError) Error() string {
	return fmt.Sprintf("the %s %s exists with different data, and Swarm %ss cannot change: rotate it under a new name"+
		" (for example name: %s_v2 in the file; the services move to it on deploy) and deploy again; no service was touched",
		e.Kind, e.Name, e.Kind, e.Name)
}

// ExitCode marks it as input to change.
func (e *ImmutableDataError) ExitCode() int { return 2 }

// ModeChangeError is a service whose deploy mode differs from the live
// one: Swarm refuses to change a service's mode.
type ModeChangeError struct {
	Service, Live, File, FullName string
}

func (e *ModeChangeError) Error() string {
	return fmt.Sprintf("service %s runs in %s mode and the file says %s: Swarm cannot change a service's mode;"+
		" remove it (docker service rm %s) and deploy again; nothing was changed", e.Service, e.Live, e.File, e.FullName)
}

// ExitCode marks it as input to change.
func (e *ModeChangeError) ExitCode() int { return 2 }

// MissingObjectError is an external network, secret or config the file
// names that the engine does not have, or a name the stack cannot take.
type MissingObjectError struct {
	Kind, Name, Reason string
}

func (e *MissingObjectError) Error() string {
	return fmt.Sprintf("%s %s %s; nothing was changed", e.Kind, e.Name, e.Reason)
}

// ExitCode marks it as input to change.
func (e *MissingObjectError) ExitCode() int { return 2 }

// JobFailedError is a job service that did not complete; the deploy
// stopped before changing any other service.
type JobFailedError struct {
	Verdict Verdict
}

func (e *JobFailedError) Error() string {
	if lost := LostEngine([]Verdict{e.Verdict}); lost != nil {
		return fmt.Sprintf("job %s: %v; the job goes on in the swarm, no other service was changed", e.Verdict.Service, lost)
	}
	msg := fmt.Sprintf("job %s %s: %s", e.Verdict.Service, e.Verdict.Kind, e.Verdict.Message)
	if len(e.Verdict.TaskErrors) > 0 {
		msg += "; task errors: " + strings.Join(e.Verdict.TaskErrors, "; ")
	}
	return msg + "; no other service was changed"
}

// Unwrap is why the wait ended early, if it did: an *EngineLostError, whose
// exit status (3) the deploy then ends with.
func (e *JobFailedError) Unwrap() error { return e.Verdict.Err }

// addObject appends an object and returns its index.
func (p *DeployPlan) addObject(o DeployObject) int {
	p.Objects = append(p.Objects, o)
	return len(p.Objects) - 1
}

// addStep appends an object with the step that writes it.
func (p *DeployPlan) addStep(o DeployObject, run func(ctx context.Context, d *deployRun) (ObjectAction, string, error)) {
	p.steps = append(p.steps, deployStep{object: p.addObject(o), run: run})
}

func (p *DeployPlan) note(format string, args ...any) {
	p.Notes = append(p.Notes, fmt.Sprintf(format, args...))
}
