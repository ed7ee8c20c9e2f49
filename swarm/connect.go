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
	"sync"
	"syscall"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/swarm"
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
	conns         *errorRecorder // the last connection error, for Connect's message
	Host          string         // the address dialled, e.g. unix:///var/run/docker.sock or ssh://user@host
	Context       string         // the docker context Host came from; empty when none was used
	APIVersion    string         // the negotiated API version
	ServerVersion string         // the engine's own version, e.g. 20.10.24; read for `version` only
	Manager       bool           // this node can answer swarm calls
	guard         guard          // read-only switch and audit hook (readonly.go, audit_hook.go)
	roleCheck     func() error   // a check of the swarm role still running (DeferRoleCheck)
}

// ConnectOptions says where the engine is and what it must be. The address
// is chosen as the docker CLI chooses it: Host, else Context, else
// DOCKER_HOST, else DOCKER_CONTEXT, else the currentContext in the docker
// config.json, else the local socket. Host and Context together are an error.
type ConnectOptions struct {
	// Host is the --host flag: unix://, tcp:// or ssh://user@host[:port].
	Host string
	// Context is the --context flag: a context in the docker CLI's store.
	Context string
	// SSHFlags are extra ssh command-line flags for ssh:// addresses, e.g.
	// "-i", keyFile; ssh also reads ~/.ssh/config as usual.
	SSHFlags []string
	// AllowNoSwarm accepts an engine that is not a swarm manager (for
	// `swarmtop version`); every other command needs a manager.
	AllowNoSwarm bool
	// ReadOnly refuses every change with a ReadOnlyError (readonly.go).
	ReadOnly bool
	// DeferRoleCheck lets Connect return before it knows that the engine
	// is a swarm manager when the ping does not say (engines below API
	// 1.44): the check then runs beside the first reads, and ReadStack
	// waits for it and fails with its ConnectError. `swarmtop status`
	// saves a round trip that way; callers that write must not use it.
	DeferRoleCheck bool
}

// Connect dials the engine, negotiates the API version and checks that the
// engine is a swarm manager. Errors are *ConnectError.
func Connect(ctx context.Context, opts ConnectOptions) (*Engine, error) {
	target, err := resolveTarget(opts)
	if err != nil {
		return nil, err
	}
	conns := &errorRecorder{}
	api, err := target.newClient(opts.SSHFlags, conns, readOnlyClientOpts(opts.ReadOnly)...)
	if err != nil {
		return nil, err
	}
	e := &Engine{api: api, conns: conns, Host: target.host(), Context: target.context}
	e.guard.readOnly = opts.ReadOnly

	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	ping, err := e.negotiate(ctx)
	if err != nil {
		api.Close()
		return nil, err
	}
	if opts.AllowNoSwarm {
		// `swarmtop version` shows the engine's version, swarm or not.
		_, _ = e.readInfo(ctx)
		return e, nil
	}
	if opts.DeferRoleCheck && ping.SwarmStatus == nil {
		e.deferRoleCheck()
		return e, nil
	}
	if err := e.checkManager(ctx, ping.SwarmStatus); err != nil {
		api.Close()
		return nil, err
	}
	return e, nil
}

// deferRoleCheck starts checkManager on its own goroutine, with a timeout
// of its own (Connect's ends when Connect returns); awaitRole waits for it.
func (e *Engine) deferRoleCheck() {
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
		defer cancel()
		done <- e.checkManager(ctx, nil)
	}()
	e.roleCheck = sync.OnceValue(func() error { return <-done })
}

// awaitRole waits for a role check Connect deferred and returns its error;
// nil when Connect made the check itself.
func (e *Engine) awaitRole() error {
	if e.roleCheck == nil {
		return nil
	}
	return e.roleCheck()
}

// negotiate pings once with version negotiation. Lazy negotiation would
// swallow this error and make an old engine answer later calls with a
// confusing "client version too new".
func (e *Engine) negotiate(ctx context.Context) (client.PingResult, error) {
	ping, err := e.api.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
	if err != nil {
		return ping, e.dialError(err)
	}
	e.APIVersion = e.api.ClientVersion()
	return ping, nil
}

// checkManager makes sure the engine answers swarm calls, in as few round
// trips as it can: every command and the TUI's first frame wait on it.
// Engines from API 1.44 say their swarm role in the ping's headers; older
// ones answer /swarm in about a millisecond when they are a manager, where
// /info takes ten. Anything else is read from /info, which says exactly why
// (not in a swarm, a worker, locked).
func (e *Engine) checkManager(ctx context.Context, role *client.SwarmStatus) error {
	if role != nil {
		return e.judgeRole(role.NodeState, role.ControlAvailable)
	}
	if _, err := e.api.SwarmInspect(ctx, client.SwarmInspectOptions{}); err == nil {
		e.Manager = true
		return nil
	}
	state, err := e.readInfo(ctx)
	if err != nil {
		return err
	}
	return e.judgeRole(state, e.Manager)
}

// readInfo reads the engine's version and this node's swarm role, and
// returns the node's swarm state.
func (e *Engine) readInfo(ctx context.Context) (swarm.LocalNodeState, error) {
	res, err := e.api.Info(ctx, client.InfoOptions{})
	if err != nil {
		return "", e.dialError(err)
	}
	info := res.Info
	e.ServerVersion = info.ServerVersion
	e.Manager = info.Swarm.ControlAvailable
	return info.Swarm.LocalNodeState, nil
}

// judgeRole turns a node's swarm state into the error a command stops with.
func (e *Engine) judgeRole(state swarm.LocalNodeState, manager bool) error {
	e.Manager = manager
	switch {
	case state != swarm.LocalNodeStateActive:
		return e.fail(NotSwarm, fmt.Errorf("swarm state is %q", state))
	case !manager:
		return e.fail(Worker, errors.New("this node is a swarm worker"))
	}
	return nil
}

// fail wraps err as a ConnectError naming this engine's address and context.
func (e *Engine) fail(kind ConnectErrorKind, err error) *ConnectError {
	return &ConnectError{Kind: kind, Host: e.Host, Context: e.Context, Err: err}
}

// dialError classifies a failed round trip, saying why with the recorded
// connection error when the client's own message has lost it.
func (e *Engine) dialError(err error) *ConnectError {
	why := e.conns.lastError()
	if isSSH(e.Host) {
		for _, cause := range []error{why, err} {
			if sshErr, ok := sshFailure(cause); ok {
				return e.fail(NoEngine, sshErr)
			}
		}
	}
	ce := classifyDialError(e.Host, err)
	ce.Context = e.Context
	if why != nil && ce.Kind == NoEngine {
		ce.Err = why // "connection refused", "i/o timeout", "no such file or directory"
	}
	return ce
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
	NoContext // the named docker context is not in the store
	BadConfig // the docker client configuration (context, TLS files) is unusable
)

// ConnectError is a failure to reach or use the engine, with a hint for the
// operator.
type ConnectError struct {
	Kind    ConnectErrorKind
	Host    string // the address, when one was resolved
	Context string // the docker context, when one was used
	Err     error
	advice  string // replaces the kind's hint when set
}

func (e *ConnectError) Error() string {
	return fmt.Sprintf("%s%s: %v (%s)", e.summary(), e.where(), e.Err, e.hint())
}

// where names the address and the context it came from, so an operator with
// several contexts sees which one failed.
func (e *ConnectError) where() string {
	switch {
	case e.Kind == NoContext:
		return fmt.Sprintf(" %q", e.Context)
	case e.Host != "" && e.Context != "":
		return fmt.Sprintf(" at %s (context %q)", e.Host, e.Context)
	case e.Host != "":
		return " at " + e.Host
	case e.Context != "":
		return fmt.Sprintf(" in context %q", e.Context)
	}
	return ""
}

func (e *ConnectError) Unwrap() error { return e.Err }

func (e *ConnectError) summary() string {
	switch e.Kind {
	case NoEngine:
		if isSSH(e.Host) {
			return "no Docker engine answers over ssh"
		}
		return "no Docker engine answers"
	case PermissionDenied:
		return "permission denied on the Docker socket"
	case NotSwarm:
		return "the engine is not part of a swarm"
	case Worker:
		return "the engine is a swarm worker, not a manager"
	case TooOld:
		return "the engine is too old"
	case NoContext:
		return "no such docker context"
	case BadConfig:
		return "unusable docker client configuration"
	default:
		return "bad engine address"
	}
}

func (e *ConnectError) hint() string {
	if e.advice != "" {
		return e.advice
	}
	if h, ok := sshHint(e.Kind, e.Host); ok {
		return h
	}
	switch e.Kind {
	case NoEngine:
		if e.Context != "" {
			return "start that engine, or fix the context: docker context inspect " + e.Context
		}
		return "start dockerd, or point DOCKER_HOST or --host at a running engine"
	case PermissionDenied:
		return "run as root or add your user to the docker group"
	case NotSwarm:
		return "run `docker swarm init`, or connect to a swarm manager"
	case Worker:
		return "swarm calls need a manager: run swarmtop on a manager node or point DOCKER_HOST at one"
	case TooOld:
		return "swarmtop needs engine API " + MinAPIVersion + " (Docker 19.03) or newer"
	case NoContext:
		return "`docker context ls` lists the contexts"
	case BadConfig:
		return "check DOCKER_CONFIG, DOCKER_CERT_PATH and the context's files"
	default:
		return "DOCKER_HOST takes unix:///path, tcp://host:port or ssh://user@host[:port]"
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
	default: // BadAddress, NoContext, BadConfig: the operator's input
		return exitBadInput
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
	case cerrdefs.IsUnavailable(err): // a 503: how a worker answers swarm calls
		kind = Worker
	}
	return &ConnectError{Kind: kind, Host: host, Err: unwrapDial(err)}
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
