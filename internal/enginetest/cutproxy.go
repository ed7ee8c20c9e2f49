package enginetest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// CutProxy is a TCP forwarder to the engine socket that a test can cut and
// restore, to play an engine (or the network to it) going away while
// swarmtop is connected. Point DOCKER_HOST or ConnectOptions.Host at Host.
type CutProxy struct {
	Host string // tcp://127.0.0.1:PORT

	socket string
	ln     net.Listener

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]bool // both ends of every live forwarded connection
}

// NewCutProxy listens on a free local port and forwards each connection to
// the engine socket named by DOCKER_HOST when it is a unix socket, else
// /var/run/docker.sock. It is closed when the test ends.
func NewCutProxy(t testing.TB) *CutProxy {
	t.Helper()
	socket := engineSocket()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &CutProxy{Host: "tcp://" + ln.Addr().String(), socket: socket, ln: ln, conns: map[net.Conn]bool{}}
	go p.serve()
	t.Cleanup(func() {
		_ = ln.Close()
		p.Cut()
	})
	return p
}

// Cut closes every live connection and, until Restore, closes each new one
// as soon as it is accepted: to the client the engine is gone (a refused
// request, a stream that breaks off).
func (p *CutProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		_ = c.Close()
	}
	clear(p.conns)
}

// Restore forwards new connections again.
func (p *CutProxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = false
}

func (p *CutProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // the listener was closed
		}
		go p.forward(c)
	}
}

// forward pipes one client connection to a new engine connection until
// either side closes or the proxy is cut.
func (p *CutProxy) forward(client net.Conn) {
	engine, err := net.Dial("unix", p.socket)
	if err != nil {
		_ = client.Close()
		return
	}
	if !p.track(client, engine) {
		_ = client.Close()
		_ = engine.Close()
		return
	}
	defer p.untrack(client, engine)
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(engine, client)
	go pipe(client, engine)
	<-done // one direction ended: the exchange is over, end the other
}

// track registers a connection pair, unless the proxy is cut.
func (p *CutProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		return false
	}
	for _, c := range conns {
		p.conns[c] = true
	}
	return true
}

func (p *CutProxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}
