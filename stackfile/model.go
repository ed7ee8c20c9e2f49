// Package stackfile loads Docker stack files (compose files deployed to
// Swarm) with compose-go and turns them into a small, plain model that the
// deploy, drift and TUI code share.
//
// It behaves like `docker stack deploy` where that matters to operators:
// it warns about keys Swarm ignores, refuses the keys stack deploy refuses,
// and validates deploy modes and ports the same way. Unlike docker/cli it
// reads the `.env` file beside the first stack file (shell variables win),
// as docker compose does.
//
// Bad input is reported as one *Error whose message names the file, line and
// column when they can be found.
package stackfile

import (
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// Deploy modes, as written in deploy.mode.
const (
	ModeReplicated    = "replicated"
	ModeGlobal        = "global"
	ModeReplicatedJob = "replicated-job"
	ModeGlobalJob     = "global-job"
)

// Stack is what the stack files declare, after merging, interpolation and
// validation.
type Stack struct {
	// Name is the stack name: Options.StackName, else the top-level name:,
	// else the first file's directory name (normalised).
	Name string
	// Files are the stack files, absolute, in load order.
	Files []string
	// WorkingDir is the first file's directory; relative paths in the files
	// are resolved against it.
	WorkingDir string
	// Services are sorted by name.
	Services []Service
	// Networks, Secrets, Configs and Volumes are the top-level declarations,
	// sorted by key. Networks include the implicit "default" network when a
	// service uses it.
	Networks []Network
	Secrets  []Secret
	Configs  []Config
	Volumes  []Volume
	// Warnings are one-line messages ("warning: ..."), sorted, about keys
	// Swarm ignores and other things worth knowing before a deploy.
	Warnings []string
	// Project is the compose-go project the model was built from, kept for
	// the spec converter. Its env_file entries are already merged into each
	// service's environment.
	Project *types.Project
}

// Service returns the service with the given key (e.g. "web", not
// "mystack_web").
func (s *Stack) Service(name string) (Service, bool) {
	for _, svc := range s.Services {
		if svc.Name == name {
			return svc, true
		}
	}
	return Service{}, false
}

// Service is one service of the stack.
type Service struct {
	// Name is the service key in the file, e.g. "web". The Swarm service is
	// named <stack>_<Name>.
	Name  string
	Image string
	// Mode is one of the Mode* constants; an unset deploy.mode is
	// "replicated".
	Mode string
	// Replicas is deploy.replicas, nil when unset: Swarm then runs one
	// replica (or one completion for a replicated-job), and a redeploy
	// resets a scaled service to 1.
	Replicas       *uint64
	UpdateConfig   *UpdateConfig
	RollbackConfig *UpdateConfig
	Healthcheck    *Healthcheck
	// Ports are sorted by published port, target port, protocol and mode.
	Ports []Port
	// Networks, Secrets and Configs are the keys of the top-level objects
	// the service uses, sorted.
	Networks  []string
	Secrets   []string
	Configs   []string
	Resources Resources
	Placement Placement
	// Labels are deploy.labels (set on the Swarm service).
	Labels map[string]string
	// ContainerLabels are the service-level labels (set on task containers).
	ContainerLabels map[string]string
	// StopGracePeriod is nil when unset (the engine uses 10s).
	StopGracePeriod *time.Duration
	// Command and Entrypoint are nil when unset; an empty, non-nil slice
	// clears the image's value.
	Command    []string
	Entrypoint []string
	// Environment holds environment: merged with env_file; a nil value
	// means the variable is passed without a value.
	Environment map[string]*string
}

// IsJob reports whether the service runs to completion (replicated-job or
// global-job).
func (s Service) IsJob() bool {
	return s.Mode == ModeReplicatedJob || s.Mode == ModeGlobalJob
}

// UpdateConfig is deploy.update_config or deploy.rollback_config. Unset
// fields are zero and mean the Swarm default.
type UpdateConfig struct {
	// Parallelism is nil when unset (Swarm uses 1); 0 means all at once.
	Parallelism     *uint64
	Delay           time.Duration
	Monitor         time.Duration
	FailureAction   string
	Order           string
	MaxFailureRatio float32
}

// Healthcheck is the service healthcheck. Zero durations mean the image or
// engine default.
type Healthcheck struct {
	// Test is e.g. ["CMD-SHELL", "curl -f http://localhost/"].
	Test        []string
	Interval    time.Duration
	Timeout     time.Duration
	StartPeriod time.Duration
	// Retries is nil when unset.
	Retries *uint64
	// Disabled is true for `disable: true` (the image's healthcheck is off).
	Disabled bool
}

// Port is one published or exposed port. Published ranges are expanded to
// one Port per port.
type Port struct {
	Target uint32
	// Published is 0 when Swarm should pick a port.
	Published uint32
	// Protocol is "tcp", "udp" or "sctp".
	Protocol string
	// Mode is "ingress" or "host".
	Mode string
}

// Resources are deploy.resources; nil when not declared.
type Resources struct {
	Limits       *ResourceAmount
	Reservations *ResourceAmount
}

// ResourceAmount is one side of deploy.resources.
type ResourceAmount struct {
	// NanoCPUs is cpus × 1e9, converted exactly from the decimal value
	// (0.1 → 100000000).
	NanoCPUs    int64
	MemoryBytes int64
	Pids        int64
}

// Placement is deploy.placement.
type Placement struct {
	// Constraints are sorted.
	Constraints []string
	// Preferences are "spread=<descriptor>", in file order: their order
	// matters to Swarm.
	Preferences []string
	// MaxReplicas is max_replicas_per_node, 0 when unset.
	MaxReplicas uint64
}

// Network is a top-level network.
type Network struct {
	// Name is the key in the file.
	Name string
	// FullName is the Swarm network name: <stack>_<key>, name:, or the
	// external name.
	FullName string
	// Driver is as declared; empty means overlay.
	Driver   string
	External bool
}

// Secret is a top-level secret.
type Secret struct {
	Name     string
	FullName string
	// File is the absolute path of file:, empty for other sources.
	File     string
	External bool
	// Driver is the secret driver for driver-backed secrets.
	Driver string
}

// Config is a top-level config.
type Config struct {
	Name     string
	FullName string
	// File is the absolute path of file:, empty for other sources.
	File     string
	External bool
}

// Volume is a top-level named volume.
type Volume struct {
	Name     string
	FullName string
	// Driver is as declared; empty means local.
	Driver   string
	External bool
}
