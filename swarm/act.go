package swarm

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
)

// The actions a Change records. Converge treats ActionRollback specially: for
// it a rollback is the goal, not a failure.
const (
	ActionScale    = "scale"
	ActionRestart  = "restart"
	ActionImage    = "image"
	ActionRelease  = "release"
	ActionRollback = "rollback"
)

// Service modes as Change.Mode names them (the compose spelling).
const (
	ModeReplicated    = "replicated"
	ModeGlobal        = "global"
	ModeReplicatedJob = "replicated-job"
	ModeGlobalJob     = "global-job"
)

// Change is one service update swarmtop made, ready to show and to follow
// with Converge.
type Change struct {
	ServiceID string
	Service   string // short name: web, not shop_web
	Action    string // one of the Action constants
	Before    string // human value before: "2", "swarmtop/standin:1"
	After     string // human value after: "4", "swarmtop/standin:2"
	// Version is the service's meta version after the update. Converge
	// ignores any read older than it, so a stale UpdateStatus from before
	// the update is never mistaken for this update's outcome.
	Version uint64
	Mode    string // one of the Mode constants
}

// Unchanged reports a change that wrote nothing because the service already
// had the wanted value.
func (c Change) Unchanged() bool {
	return c.Before == c.After && c.Action != ActionRestart && c.Action != ActionRollback
}

// RefusedError is an action that does not apply to a service (scaling a
// global service, rolling back a service that was never updated, …).
// Nothing was written; it is the user's input that must change.
type RefusedError struct {
	Service string // as the user typed it
	Action  string
	Reason  string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("cannot %s %s: %s", e.Action, e.Service, e.Reason)
}

// ExitCode marks a refused action as bad input.
func (e *RefusedError) ExitCode() int { return 2 }

// maxUpdateAttempts bounds the re-inspect-and-retry loop on a stale version.
// Each retry needs a concurrent writer to win a race of a few milliseconds,
// so five in a row means something is rewriting the service continuously.
const maxUpdateAttempts = 5

// beforeUpdateHook, when set, runs before each ServiceUpdate attempt of an
// action or a deploy. Tests use it to make a concurrent write land between
// inspect and update.
var beforeUpdateHook atomic.Pointer[func(serviceID string, attempt int)]

// errNothingToChange is returned by a mutation that finds the spec already
// as wanted: updateService then writes nothing, so PreviousSpec (the one
// level of rollback) is not overwritten by an identical spec.
var errNothingToChange = errors.New("no change")

// actSettings are the options of one updateService call.
type actSettings struct {
	action   string
	describe func(swarm.ServiceSpec) string // the human value the action changes
	rollback bool
}

// actOption configures updateService.
type actOption func(*actSettings)

// describedBy names the action and how to show the value it changes.
func describedBy(action string, describe func(swarm.ServiceSpec) string) actOption {
	return func(s *actSettings) { s.action, s.describe = action, describe }
}

// asRollback asks the engine to swap Spec and PreviousSpec instead of
// storing the mutated spec.
func asRollback() actOption {
	return func(s *actSettings) { s.rollback = true }
}

// updateService is the read-modify-write every action goes through: inspect
// without defaults, mutate, update with the inspected version. A stale
// version ("update out of sequence") means someone else wrote in between;
// the service is inspected again and the same mutation re-applied to the
// fresh spec, so the other writer's change is kept rather than overwritten.
func (e *Engine) updateService(ctx context.Context, id string, mutate func(*swarm.ServiceSpec) error, opts ...actOption) (Change, error) {
	set := actSettings{action: "update", describe: func(swarm.ServiceSpec) string { return "" }}
	for _, o := range opts {
		o(&set)
	}
	if err := e.refuseWrite(set.action); err != nil {
		return Change{}, err
	}
	for attempt := 1; ; attempt++ {
		svc, err := e.inspectService(ctx, id)
		if err != nil {
			return Change{}, err
		}
		change, err := e.tryUpdate(ctx, svc, mutate, set, attempt)
		if err == nil || !outOfSequence(err) || attempt == maxUpdateAttempts {
			return change, err
		}
	}
}

// tryUpdate makes one update attempt on the service as inspected.
func (e *Engine) tryUpdate(ctx context.Context, svc swarm.Service, mutate func(*swarm.ServiceSpec) error, set actSettings, attempt int) (Change, error) {
	stack := svc.Spec.Labels[NamespaceLabel]
	change := Change{
		ServiceID: svc.ID,
		Service:   ShortName(stack, svc.Spec.Name),
		Action:    set.action,
		Before:    set.describe(svc.Spec),
		Mode:      changeMode(svc.Spec.Mode),
	}
	spec := svc.Spec
	err := mutate(&spec)
	if errors.Is(err, errNothingToChange) {
		change.After, change.Version = change.Before, svc.Meta.Version.Index
		return change, nil
	}
	if err != nil {
		return Change{}, err
	}
	change.After = set.describe(spec)
	if set.rollback && svc.PreviousSpec != nil {
		change.After = set.describe(*svc.PreviousSpec)
	}

	if hook := beforeUpdateHook.Load(); hook != nil {
		(*hook)(svc.ID, attempt)
	}
	upd := client.ServiceUpdateOptions{Version: svc.Meta.Version, Spec: spec}
	if set.rollback {
		upd.Rollback = "previous"
	}
	if _, err := e.api.ServiceUpdate(ctx, svc.ID, upd); err != nil {
		if !outOfSequence(err) || attempt == maxUpdateAttempts { // a retry is not a change
			e.auditWrite(stack, change, err)
		}
		return Change{}, err
	}
	// The version after the write is only known from a fresh read.
	after, err := e.inspectService(ctx, svc.ID)
	if err == nil {
		change.Version = after.Meta.Version.Index
	}
	e.auditWrite(stack, change, nil) // written, even if the read after failed
	if err != nil {
		return Change{}, err
	}
	return change, nil
}

// outOfSequence matches the stale-version error. The engine reports it as
// a plain HTTP 500 (not a conflict), so only the text identifies it.
func outOfSequence(err error) bool {
	return err != nil && strings.Contains(err.Error(), "update out of sequence")
}

// changeMode names a service mode as compose spells it.
func changeMode(m swarm.ServiceMode) string {
	switch {
	case m.Global != nil:
		return ModeGlobal
	case m.ReplicatedJob != nil:
		return ModeReplicatedJob
	case m.GlobalJob != nil:
		return ModeGlobalJob
	default:
		return ModeReplicated
	}
}

// actError says which service an engine call failed for, keeping the
// engine's own words.
func actError(action, service string, err error) error {
	return fmt.Errorf("%s %s: %w", action, service, err)
}

// Scale sets the replica count of replicated services. targets maps service
// names (web or shop_web) to counts. Every name is resolved and checked
// before anything is written, so a typo changes nothing. On a write error
// the changes already made are returned with it.
func (e *Engine) Scale(ctx context.Context, stack string, targets map[string]uint64) ([]Change, error) {
	if err := e.refuseWrite(ActionScale); err != nil {
		return nil, err
	}
	names := slices.Sorted(maps.Keys(targets))
	services, err := e.findServices(ctx, stack, names, func(name string, svc swarm.Service) error {
		return scalable(name, svc.Spec.Mode)
	})
	if err != nil {
		return nil, err
	}
	var changes []Change
	for i, svc := range services {
		name, replicas := names[i], targets[names[i]]
		mutate := func(spec *swarm.ServiceSpec) error {
			if err := scalable(name, spec.Mode); err != nil {
				return err
			}
			if r := spec.Mode.Replicated.Replicas; r != nil && *r == replicas {
				return errNothingToChange
			}
			spec.Mode.Replicated.Replicas = &replicas
			return nil
		}
		change, err := e.updateService(ctx, svc.ID, mutate, describedBy(ActionScale, replicasOfSpec))
		if err != nil {
			return changes, actError("scale", name, err)
		}
		changes = append(changes, change)
	}
	return changes, nil
}

// scalable refuses the modes that have no replica count to set.
func scalable(name string, mode swarm.ServiceMode) error {
	var reason string
	switch changeMode(mode) {
	case ModeGlobal, ModeGlobalJob:
		reason = "it is a " + changeMode(mode) + " service, which runs one task on every eligible node;" +
			" change its placement constraints instead"
	case ModeReplicatedJob:
		// Every update of a job runs it again, so a "scale" would silently
		// re-run a migration or a batch.
		reason = "it is a replicated job, and any update runs the job again;" +
			" change its completions in the stack file and redeploy"
	default:
		return nil
	}
	return &RefusedError{Service: name, Action: "scale", Reason: reason}
}

// replicasOfSpec shows a replicated service's count; a missing count is the
// engine's default, 1.
func replicasOfSpec(spec swarm.ServiceSpec) string {
	if r := spec.Mode.Replicated; r != nil && r.Replicas != nil {
		return strconv.FormatUint(*r.Replicas, 10)
	}
	return "1"
}

// Restart replaces every task of the named services (a rolling restart that
// follows each service's UpdateConfig) by bumping ForceUpdate, which is what
// `docker service update --force` does.
func (e *Engine) Restart(ctx context.Context, stack string, services []string) ([]Change, error) {
	if err := e.refuseWrite(ActionRestart); err != nil {
		return nil, err
	}
	found, err := e.findServices(ctx, stack, services, nil)
	if err != nil {
		return nil, err
	}
	var changes []Change
	for i, svc := range found {
		mutate := func(spec *swarm.ServiceSpec) error {
			spec.TaskTemplate.ForceUpdate++
			return nil
		}
		change, err := e.updateService(ctx, svc.ID, mutate, describedBy(ActionRestart, forceUpdateText))
		if err != nil {
			return changes, actError("restart", services[i], err)
		}
		changes = append(changes, change)
	}
	return changes, nil
}

// forceUpdateText shows the restart counter: a restart reads "3 → 4".
func forceUpdateText(spec swarm.ServiceSpec) string {
	return strconv.FormatUint(spec.TaskTemplate.ForceUpdate, 10)
}

// SetImage points one service at a new image. The stack's image label moves
// with it, so the label keeps saying what the service runs.
func (e *Engine) SetImage(ctx context.Context, stack, service, image string) (Change, error) {
	if err := e.refuseWrite(ActionImage); err != nil {
		return Change{}, err
	}
	if err := checkImageRef(image); err != nil {
		return Change{}, &RefusedError{Service: service, Action: "set the image of", Reason: err.Error()}
	}
	found, err := e.findServices(ctx, stack, []string{service}, containerOnly)
	if err != nil {
		return Change{}, err
	}
	mutate := func(spec *swarm.ServiceSpec) error {
		if spec.TaskTemplate.ContainerSpec.Image == image {
			return errNothingToChange
		}
		setServiceImage(spec, image)
		return nil
	}
	change, err := e.updateService(ctx, found[0].ID, mutate, describedBy(ActionImage, imageText))
	if err != nil {
		return Change{}, actError("set image of", service, err)
	}
	return change, nil
}

// containerOnly refuses services without a container (plugin services), the
// only kind whose image swarmtop can change.
func containerOnly(name string, svc swarm.Service) error {
	if svc.Spec.TaskTemplate.ContainerSpec == nil {
		return &RefusedError{Service: name, Action: "change the image of", Reason: "it runs no container"}
	}
	return nil
}

// setServiceImage writes the new image into the spec and, when the service
// carries the stack's image label, into the label too.
func setServiceImage(spec *swarm.ServiceSpec, image string) {
	spec.TaskTemplate.ContainerSpec.Image = image
	if _, ok := spec.Labels[ImageLabel]; ok {
		spec.Labels[ImageLabel] = image
	}
}

// imageText shows a service's image without a pinned digest when it has a
// tag: "swarmtop/standin:1", not "swarmtop/standin:1@sha256:…".
func imageText(spec swarm.ServiceSpec) string {
	if spec.TaskTemplate.ContainerSpec == nil {
		return ""
	}
	image := spec.TaskTemplate.ContainerSpec.Image
	if name, _, ok := strings.Cut(image, "@"); ok && tagOfImage(name) != "" {
		return name
	}
	return image
}

// Rollback asks the engine to restore each service's previous spec (the one
// level of history swarm keeps). A service that was never updated has no
// previous spec and is refused before anything is written.
func (e *Engine) Rollback(ctx context.Context, stack string, services []string) ([]Change, error) {
	if err := e.refuseWrite(ActionRollback); err != nil {
		return nil, err
	}
	found, err := e.findServices(ctx, stack, services, func(name string, svc swarm.Service) error {
		if svc.PreviousSpec == nil {
			return noPreviousSpec(name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var changes []Change
	for i, svc := range found {
		// The engine ignores the body of a rollback but still validates it,
		// so the current spec is sent unchanged.
		keep := func(*swarm.ServiceSpec) error { return nil }
		change, err := e.updateService(ctx, svc.ID, keep, describedBy(ActionRollback, summaryText), asRollback())
		if err != nil {
			if cerrdefs.IsFailedPrecondition(err) || strings.Contains(err.Error(), "previous spec") {
				err = noPreviousSpec(services[i])
			}
			return changes, actError("roll back", services[i], err)
		}
		changes = append(changes, change)
	}
	return changes, nil
}

func noPreviousSpec(name string) error {
	return &RefusedError{Service: name, Action: "roll back",
		Reason: "it has no previous spec: it was not updated since it was created, or the engine already rolled its last update back"}
}

// summaryText shows what a rollback most often restores: image and count.
func summaryText(spec swarm.ServiceSpec) string {
	s := imageText(spec)
	if spec.Mode.Replicated != nil {
		s += " ×" + replicasOfSpec(spec)
	}
	return s
}

// findServices resolves service names (short or full) in a stack and runs
// check on each, returning the services in the order of names. The first
// unknown name or failed check is the error.
func (e *Engine) findServices(ctx context.Context, stack string, names []string, check func(name string, svc swarm.Service) error) ([]swarm.Service, error) {
	if len(names) == 0 {
		return nil, &RefusedError{Service: "stack " + stack, Action: "act on", Reason: "no service named"}
	}
	services := make([]swarm.Service, 0, len(names))
	seen := map[string]string{}
	for _, name := range names {
		svc, err := e.FindService(ctx, stack, name)
		if err != nil {
			return nil, err
		}
		if prev, dup := seen[svc.ID]; dup {
			return nil, &RefusedError{Service: name, Action: "act on", Reason: fmt.Sprintf("it is named twice (also as %s)", prev)}
		}
		seen[svc.ID] = name
		if check != nil {
			if err := check(name, svc); err != nil {
				return nil, err
			}
		}
		services = append(services, svc)
	}
	return services, nil
}
