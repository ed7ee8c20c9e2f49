package swarm

import (
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

// Health is what swarmtop infers about a task or a service from what the
// engine reports: task state, desired state, error text, exit code and the
// slot's recent history. The engine has no health column of its own.
//
// The values are ordered from good to bad so a service can take the worst of
// its tasks.
type Health int

const (
	// HealthNone: nothing to say. The task is not meant to run (history,
	// a completed job), or it runs without a healthcheck in its spec.
	HealthNone Health = iota
	// HealthHealthy: running with a healthcheck. With a healthcheck the
	// engine keeps a task in "starting" until the check passes, so a
	// running task has passed it.
	HealthHealthy
	// HealthStarting: on its way to running (scheduled, preparing, or
	// waiting for its first passing healthcheck), or a service with fewer
	// tasks running than desired for no worse reason.
	HealthStarting
	// HealthUnhealthy: the engine stopped the task because its healthcheck
	// failed (see killedUnhealthy), or a slot keeps being restarted for that
	// reason.
	HealthUnhealthy
	// HealthRestarting: a crash loop; the slot's containers keep exiting
	// (restartThreshold failures within restartWindow).
	HealthRestarting
	// HealthFailing: the task failed or was rejected, or cannot even start
	// (an error before running: "no suitable node", "No such image"). For
	// a slot: its newest task failed and nothing replaced it, or it keeps
	// being rejected.
	HealthFailing
)

// A slot is crash-looping when this many of its tasks failed within the
// window. One failure can be a fluke that a restart fixes; two in a few
// minutes is a pattern. The window is longer than the default restart delay
// (5 s) times the default task history (5 tasks), so a loop stays visible.
const (
	restartThreshold = 2
	restartWindow    = 5 * time.Minute
)

var healthNames = [...]string{"none", "healthy", "starting", "unhealthy", "restarting", "failing"}

func (h Health) String() string {
	if h < 0 || int(h) >= len(healthNames) {
		return "unknown"
	}
	return healthNames[h]
}

// MarshalText writes the name, so JSON output says "healthy", not 1.
func (h Health) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads a name written by MarshalText.
func (h *Health) UnmarshalText(b []byte) error {
	for i, name := range healthNames {
		if name == string(b) {
			*h = Health(i)
			return nil
		}
	}
	return fmt.Errorf("unknown health %q", b)
}

// taskHealth judges one task on its own:
//
//   - before running (new … ready, starting): starting, or failing when
//     the engine already put an error on it (a scheduling or pull failure);
//   - running: healthy when its spec has a healthcheck, none otherwise;
//   - failed: unhealthy when the error says the healthcheck killed it,
//     failing otherwise (non-zero exit, OOM, …);
//   - rejected: failing (it never started);
//   - complete: none for a job's task; for a service's task it is an exit
//     nobody asked for (see exitedByItself);
//   - shutdown, remove, orphaned: none, unless a shutdown carries an
//     error, which is a failure like any other.
func taskHealth(t *swarm.Task) Health {
	switch t.Status.State {
	case swarm.TaskStateRunning:
		if hasHealthcheck(t.Spec.ContainerSpec) {
			return HealthHealthy
		}
		return HealthNone
	case swarm.TaskStateFailed, swarm.TaskStateShutdown, swarm.TaskStateComplete:
		return failureHealth(t)
	case swarm.TaskStateRejected:
		return HealthFailing
	case swarm.TaskStateRemove, swarm.TaskStateOrphaned:
		return HealthNone
	}
	if t.Status.Err != "" {
		return HealthFailing
	}
	return HealthStarting
}

// failureHealth classifies a task that ended; a plain shutdown (scale down,
// update, stack rm) or a job's completion is no failure.
func failureHealth(t *swarm.Task) Health {
	switch {
	case !isFailure(t):
		return HealthNone
	case killedUnhealthy(t):
		return HealthUnhealthy
	default:
		return HealthFailing
	}
}

// isFailure: the task ended badly. Shutdown tasks count only with an error
// attached, since updates and scale-downs shut tasks down on purpose.
func isFailure(t *swarm.Task) bool {
	switch t.Status.State {
	case swarm.TaskStateFailed, swarm.TaskStateRejected:
		return true
	case swarm.TaskStateShutdown:
		return t.Status.Err != ""
	case swarm.TaskStateComplete:
		return exitedByItself(t)
	}
	return false
}

// exitedByItself: a service's (not a job's) task completed. The
// orchestrator never asks a service task to complete: it shuts tasks down
// (state "shutdown"), so "complete" means the container exited 0 on its own
// and will be restarted. Job tasks carry a JobIteration.
func exitedByItself(t *swarm.Task) bool {
	return t.Status.State == swarm.TaskStateComplete && t.JobIteration == nil
}

// killedUnhealthy: the engine's executor stops a container whose
// healthcheck fails and gives "unhealthy container" as the cause, but only
// when the container then exits non-zero. Engine 20.10 drops the cause when
// the program handles SIGTERM and exits 0: the task just completes. So a
// service task with a healthcheck that exited 0 by itself counts as killed
// by its healthcheck too: a healthy long-running service has no reason to
// exit 0.
func killedUnhealthy(t *swarm.Task) bool {
	if strings.Contains(t.Status.Err, "unhealthy container") {
		return true
	}
	return exitedByItself(t) && hasHealthcheck(t.Spec.ContainerSpec)
}

func hasHealthcheck(c *swarm.ContainerSpec) bool {
	if c == nil || c.Healthcheck == nil || len(c.Healthcheck.Test) == 0 {
		return false
	}
	return c.Healthcheck.Test[0] != "NONE"
}

// loopSign is what one task tells about a crash loop in its slot: nothing
// (HealthNone) unless it is a failure younger than restartWindow of a task
// also created within it, and then the loop it names if it is the newest:
// unhealthy when the healthcheck killed it, failing when it was rejected
// (it never started), restarting when the container exited.
//
// A loop is tasks replaced one after another that fail soon after they
// start. A task that ran for longer than the window before it failed is not
// part of one. That matters after an engine restart: the engine then marks
// all the tasks it had, current and history, some created hours before, as
// failed at the same instant (exit 255), which looked like every slot of
// every service crash-looping while all of them ran again.
func loopSign(t *swarm.Task, now time.Time) Health {
	switch {
	case !isFailure(t) || now.Sub(t.Status.Timestamp) > restartWindow ||
		now.Sub(t.Meta.CreatedAt) > restartWindow:
		return HealthNone
	case killedUnhealthy(t):
		return HealthUnhealthy
	case t.Status.State == swarm.TaskStateRejected:
		return HealthFailing
	default:
		return HealthRestarting
	}
}

// crashLoop folds the signs of one slot's tasks, newest first: a loop is
// restartThreshold recent failures, named by the newest. HealthNone means
// no loop.
func crashLoop(signs iter.Seq[Health]) Health {
	failures, newest := 0, HealthNone
	for sign := range signs {
		if sign == HealthNone {
			continue
		}
		if failures == 0 {
			newest = sign
		}
		failures++
	}
	if failures < restartThreshold {
		return HealthNone
	}
	return newest
}

// serviceHealth is the worst health of the service's current tasks, raised
// to starting when fewer tasks run than desired for no worse reason (tasks
// not scheduled yet, or a slot waiting out its restart delay).
func serviceHealth(worst Health, s *Service) Health {
	if worst < HealthStarting && !isJob(s.Mode) && s.Running < s.Desired {
		return HealthStarting
	}
	return worst
}

func isJob(mode string) bool { return strings.HasSuffix(mode, "-job") }
