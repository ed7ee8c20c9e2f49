package swarm

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// errorRecorder keeps the last connection error under the client. The
// client turns a refused or timed-out dial, and an ssh connection that dies
// with ssh's stderr in its error, into "Cannot connect to the Docker daemon
// … Is the docker daemon running?", which drops the why; Connect reports
// the recorded error instead.
type errorRecorder struct {
	mu   sync.Mutex
	last error
}

func (r *errorRecorder) record(err error) {
	if err == nil || errors.Is(err, io.EOF) {
		return
	}
	r.mu.Lock()
	r.last = err
	r.mu.Unlock()
}

// lastError is the most recent connection failure, or nil.
func (r *errorRecorder) lastError() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// socketDialer dials unix:// and tcp:// hosts as the client's own transport
// does, recording failures.
func (r *errorRecorder) socketDialer(host string) dialFunc {
	d := net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	path, isUnix := strings.CutPrefix(host, "unix://")
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if isUnix { // requests carry a dummy address for sockets
			network, addr = "unix", path
		}
		conn, err := d.DialContext(ctx, network, addr)
		r.record(err)
		return conn, err
	}
}

// sshDialer wraps the ssh helper's dialer. Its connections fail on a read,
// once ssh has exited, with an error that carries ssh's stderr.
func (r *errorRecorder) sshDialer(dial dialFunc) dialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			r.record(err)
			return nil, err
		}
		return &recordingConn{Conn: conn, r: r}, nil
	}
}

// recordingConn records read errors. It hides the ssh connection's
// CloseWrite, which only hijacked streams (attach, exec) would use.
type recordingConn struct {
	net.Conn
	r *errorRecorder
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.r.record(err)
	return n, err
}
