package enginetest

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Proxy stands between swarmtop and the engine socket and counts every
// request by method and path, so a test can prove what was (not) sent.
type Proxy struct {
	Host string // tcp://127.0.0.1:PORT, for DOCKER_HOST or ConnectOptions.Host

	mu       sync.Mutex
	requests []string // "POST /v1.51/services/x/update", in order
	held     string   // requests whose path contains this wait for release
	release  chan struct{}
}

// NewProxy listens on a free local port and forwards to the engine named
// by DOCKER_HOST when it is a unix socket, else /var/run/docker.sock.
func NewProxy(t testing.TB) *Proxy {
	t.Helper()
	socket := engineSocket()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{Host: "tcp://" + ln.Addr().String()}
	forward := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme, r.Out.URL.Host = "http", "docker"
		},
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", socket)
		}},
		FlushInterval: -1, // events and logs stream
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.requests = append(p.requests, r.Method+" "+r.URL.Path)
		hold := p.held != "" && strings.Contains(r.URL.Path, p.held)
		release := p.release
		p.mu.Unlock()
		if hold {
			select {
			case <-release:
			case <-r.Context().Done(): // the client gave up
				return
			}
		}
		forward.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return p
}

// Hold makes the requests whose path contains part wait, unanswered, until
// Release or until their client gives up: an engine that stops answering
// some requests.
func (p *Proxy) Hold(part string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.held, p.release = part, make(chan struct{})
}

// Release lets the held requests through and holds no more.
func (p *Proxy) Release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.release != nil {
		close(p.release)
	}
	p.held, p.release = "", nil
}

// Requests are every request so far, "METHOD /path", in order.
func (p *Proxy) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.requests)
}

// Mutating are the requests other than GET and HEAD, and any to attach or
// exec: the ones that can change something.
func (p *Proxy) Mutating() []string {
	var out []string
	for _, r := range p.Requests() {
		method, path, _ := strings.Cut(r, " ")
		if method != http.MethodGet && method != http.MethodHead ||
			strings.Contains(path, "/attach") || strings.Contains(path, "/exec") {
			out = append(out, r)
		}
	}
	return out
}

// Reads counts the GET requests.
func (p *Proxy) Reads() int {
	n := 0
	for _, r := range p.Requests() {
		if strings.HasPrefix(r, "GET ") {
			n++
		}
	}
	return n
}

// engineSocket is the engine's unix socket the proxies forward to: the one
// DOCKER_HOST names, else the default.
func engineSocket() string {
	if h, ok := strings.CutPrefix(os.Getenv("DOCKER_HOST"), "unix://"); ok {
		return h
	}
	return "/var/run/docker.sock"
}
