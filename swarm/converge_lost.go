package swarm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/moby/moby/client"
)

// EngineLost reports whether err says the engine could not be reached or
// stopped answering in the middle of a request: a refused or dropped
// connection, a stream cut short, a request that timed out. An answer from
// the engine (not found, conflict, an internal error) is not a loss: the
// engine is there, and retrying the same request changes nothing.
func EngineLost(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	// *url.Error is a net.Error too: the HTTP client could not complete the
	// exchange, whatever the reason below it.
	var netErr net.Error
	return client.IsErrConnectionFailed(err) || errors.As(err, &netErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, context.DeadlineExceeded)
}

// EngineLostError ends a wait that could not reach the engine for too long.
// What was asked of the swarm goes on there without swarmtop.
type EngineLostError struct {
	Host string // the engine's address
	Err  error  // the last failure
}

func (e *EngineLostError) Error() string {
	return fmt.Sprintf("lost the engine at %s: %v", e.Host, e.Err)
}

func (e *EngineLostError) Unwrap() error { return e.Err }

// ExitCode is that of an engine that cannot be reached at all.
func (e *EngineLostError) ExitCode() int { return 3 }

// LostEngine returns the first verdict's *EngineLostError, or nil when the
// engine never went away.
func LostEngine(verdicts []Verdict) *EngineLostError {
	for _, v := range verdicts {
		var lost *EngineLostError
		if errors.As(v.Err, &lost) {
			return lost
		}
	}
	return nil
}
