// Package swarm is everything that talks to the Docker engine: connect, read,
// watch, act, deploy, converge and logs. It imports no UI code.
package swarm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// MinAPIVersion is the oldest engine API swarmtop talks to (Docker 19.03).
const MinAPIVersion = client.MinAPIVersion

// connectTimeout bounds the first round trip, so a dead tcp address fails
// quickly instead of hanging a paged engineer's terminal.
const connectTimeout = 10 * time.Second

// Engine is a connection to one Docker engine, with the API version
// negotiated once at start.
type Engine struct {
	api           *client.Client
	Host          string // the address dialled, e.g. unix:///var/run/docker.sock
	APIVersion    string // the negotiated API version
	ServerVersion string // the engine's own version, e.g. 20.10.24
	NodeID        string // this node's swarm ID; empty when not in a swarm
	Manager       bool   // this node can answer swarm calls
}

// ConnectOptions says where the engine is and what it must be.
type ConnectOptions struct {
	// Host overrides DOCKER_HOST when set.
	Host string
	// AllowNoSwarm accepts an engine that is not a swarm manager (for
	// `swarmtop version`); every other command needs a manager.
	AllowNoSwarm bool
}

// Connect dials the engine, negotiates the API version and checks that the
// engine is a swarm manager. Errors are *ConnectError.
func Connect(ctx context.Context, opts ConnectOptions) (*Engine, error) {
	clientOpts := []client.Opt{client.FromEnv}
	if opts.Host != "" {
		clientOpts = append(clientOpts, client.WithHost(opts.Host))
	}
	api, err := client.New(clientOpts...)
	if err != nil {
		return nil, &ConnectError{Kind: BadAddress, Host: hostFromEnv(opts.Host), Err: err}
	}
	e := &Engine{api: api, Host: api.DaemonHost()}

	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := e.negotiate(ctx); err != nil {
		api.Close()
		return nil, err
	}
	if err := e.readSwarmRole(ctx); err != nil && !opts.AllowNoSwarm {
		api.Close()
		return nil, err
	}
	return e, nil
}

// negotiate pings once with version negotiation. Lazy negotiation would
// swallow this error and make an old engine answer later calls with a
// confusing "client version too new".
func (e *Engine) negotiate(ctx context.Context) error {
	_, err := e.api.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
	if err != nil {
		return classifyDialError(e.Host, err)
	}
	e.APIVersion = e.api.ClientVersion()
	return nil
}

// readSwarmRole reads Info: on API 1.41 the ping carries no swarm header.
func (e *Engine) readSwarmRole(ctx context.Context) error {
	res, err := e.api.Info(ctx, client.InfoOptions{})
	if err != nil {
		return classifyDialError(e.Host, err)
	}
	info := res.Info
	e.ServerVersion = info.ServerVersion
	e.NodeID = info.Swarm.NodeID
	e.Manager = info.Swarm.ControlAvailable
	switch {
	case info.Swarm.LocalNodeState != "active":
		return &ConnectError{Kind: NotSwarm, Host: e.Host,
			Err: fmt.Errorf("swarm state is %q", info.Swarm.LocalNodeState)}
	case !info.Swarm.ControlAvailable:
		return &ConnectError{Kind: Worker, Host: e.Host, Err: errors.New("this node is a swarm worker")}
	}
	return nil
}

// Close releases the connection.
func (e *Engine) Close() error { return e.api.Close() }

// Client exposes the raw engine client to this package's other files and to
// tests; nothing outside package swarm and its tests should need it.
func (e *Engine) Client() *client.Client { return e.api }

// ConnectErrorKind says why an engine could not be used.
type ConnectErrorKind int

// The kinds of connect failure; each maps to its own exit status.
const (
	NoEngine ConnectErrorKind = iota + 1
	PermissionDenied
	NotSwarm
	Worker
	TooOld
	BadAddress
)

// ConnectError is a failure to reach or use the engine, with a hint for the
// operator.
type ConnectError struct {
	Kind ConnectErrorKind
	Host string
	Err  error
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("%s at %s: %v (%s)", e.summary(), e.Host, e.Err, e.hint())
}

func (e *ConnectError) Unwrap() error { return e.Err }

func (e *ConnectError) summary() string {
	switch e.Kind {
	case NoEngine:
		return "no Docker engine answers"
	case PermissionDenied:
		return "permission denied on the Docker socket"
	case NotSwarm:
		return "the engine is not part of a swarm"
	case Worker:
		return "the engine is a swarm worker, not a manager"
	case TooOld:
		return "the engine is too old"
	default:
		return "bad engine address"
	}
}

func (e *ConnectError) hint() string {
	switch e.Kind {
	case NoEngine:
		return "start dockerd, or point DOCKER_HOST or --host at a running engine"
	case PermissionDenied:
		return "run as root or add your user to the docker group"
	case NotSwarm:
		return "run `docker swarm init`, or connect to a swarm manager"
	case Worker:
		return "swarm calls need a manager: run swarmtop on a manager node or point DOCKER_HOST at one"
	case TooOld:
		return "swarmtop needs engine API " + MinAPIVersion + " (Docker 19.03) or newer"
	default:
		return "DOCKER_HOST takes unix:///path, tcp://host:port or ssh://user@host"
	}
}

// ExitCode is the process exit status for this failure: 3 for an engine that
// cannot be reached, distinct codes above it for the other reasons.
func (e *ConnectError) ExitCode() int {
	switch e.Kind {
	case NoEngine:
		return 3
	case PermissionDenied:
		return 4
	case NotSwarm:
		return 5
	case Worker:
		return 6
	case TooOld:
		return 7
	default:
		return 2
	}
}

func classifyDialError(host string, err error) *ConnectError {
	kind := NoEngine
	switch {
	case errors.Is(err, os.ErrPermission), errors.Is(err, syscall.EACCES):
		kind = PermissionDenied
	case strings.Contains(err.Error(), "permission denied"):
		kind = PermissionDenied
	case cerrdefs.IsInvalidArgument(err) && strings.Contains(err.Error(), "minimum supported API version"):
		kind = TooOld
	case isUnavailable(err):
		kind = Worker
	}
	return &ConnectError{Kind: kind, Host: host, Err: unwrapDial(err)}
}

// isUnavailable reports a 503, which is how a worker answers swarm calls.
func isUnavailable(err error) bool {
	return cerrdefs.IsUnavailable(err)
}

// unwrapDial keeps the innermost network error: the client's own wrapper
// repeats the address and asks a question instead of saying what failed.
func unwrapDial(err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		return op
	}
	return err
}

func hostFromEnv(flag string) string {
	if flag != "" {
		return flag
	}
	if h := os.Getenv(client.EnvOverrideHost); h != "" {
		return h
	}
	return client.DefaultDockerHost
}
