package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"
)

// tick is how often the run loop writes the lines that are due and flushes:
// short enough that logs look live, long enough to batch high rates.
const tick = 50 * time.Millisecond

// health is what /health reports. The run loop sets it; handlers read it.
type health struct{ v atomic.Int32 }

const (
	healthy int32 = iota
	unhealthy
	draining
)

func (h *health) report() (int, string) {
	switch h.v.Load() {
	case unhealthy:
		return http.StatusServiceUnavailable, "unhealthy\n"
	case draining:
		return http.StatusServiceUnavailable, "draining\n"
	}
	return http.StatusOK, "ok\n"
}

// serve runs a long-running role until it drains after a signal (0) or
// fails in exit mode (1).
func serve(r *role, cfg config, ln net.Listener, sigs <-chan os.Signal, stdout, stderr io.Writer) int {
	out := newLogger(stdout, stderr)
	h := new(health)
	srv := &http.Server{Handler: newMux(r, h, out), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	for _, m := range r.startup {
		out.emit(1, r.say(m))
	}
	out.flush()

	rate := r.rate
	if cfg.logRate >= 0 {
		rate = cfg.logRate
	}
	pace := newPacer(rate, time.Now())
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	var fail, drained <-chan time.Time // nil channels: never
	if cfg.failAfter >= 0 {
		fail = time.After(cfg.failAfter)
	}
	for {
		select {
		case now := <-ticker.C:
			out.emit(pace.due(now), r.line)
			out.flush()
		case <-fail:
			if cfg.failMode == "exit" {
				out.toStderr(r.say(r.fatal))
				return 1
			}
			h.v.Store(unhealthy)
			out.toStderr(r.say(r.unhealthy))
		case sig := <-sigs:
			if drained != nil {
				// Already draining. Signals come in twos often enough (a
				// process group and its leader, timeout(1)) that a second
				// one must not cut the drain short.
				continue
			}
			// Keep serving and logging while the swarm moves traffic
			// away; /health says 503 so nothing new is sent here.
			h.v.Store(draining)
			out.emit(1, r.say(r.drain(signalName(sig), cfg.drain)))
			drained = time.After(cfg.drain)
		case <-drained:
			return finish(r, out)
		}
	}
}

func finish(r *role, out *logger) int {
	out.emit(1, r.say(r.final))
	out.flush()
	return 0
}

// signalName spells the signal as the daemons do.
func signalName(sig os.Signal) string {
	if sig == os.Interrupt {
		return "SIGINT"
	}
	return "SIGTERM"
}

// newMux serves /health (also as /health/, which Django healthchecks
// use), / with the role and version, and 404 for anything else. Roles with
// an access log log every request but the healthchecks, whose lines would
// drown the rest at a 5 s interval per replica.
func newMux(r *role, h *health, out *logger) http.Handler {
	mux := http.NewServeMux()
	healthHandler := func(w http.ResponseWriter, _ *http.Request) {
		code, body := h.report()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
	mux.HandleFunc("GET /health", healthHandler)
	mux.HandleFunc("GET /health/{$}", healthHandler)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, req *http.Request) {
		reply(w, req, r, out, http.StatusOK, fmt.Sprintf("standin %s version %s\n", r.name, version))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		reply(w, req, r, out, http.StatusNotFound, "not found\n")
	})
	return mux
}

func reply(w http.ResponseWriter, req *http.Request, r *role, out *logger, status int, body string) {
	start := time.Now()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, body)
	if r.access == nil {
		return
	}
	remote, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		remote = req.RemoteAddr
	}
	q := request{
		remote: clean(remote), method: clean(req.Method), uri: clean(req.RequestURI), proto: clean(req.Proto),
		status: status, size: len(body), took: time.Since(start),
		referer: clean(orDash(req.Referer())), agent: clean(orDash(req.UserAgent())),
	}
	out.emit(1, func(b []byte, g *gen) []byte { return r.access(b, g, q) })
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// checkHealth is `standin health`: Docker runs it inside the container, so
// it asks 127.0.0.1 on the port the role listens on.
func checkHealth(addr string, stdout, stderr io.Writer) int {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		fmt.Fprintf(stderr, "standin health: STANDIN_ADDR=%q: %v\n", addr, err)
		return 1
	}
	client := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	}
	resp, err := client.Get("http://" + net.JoinHostPort("127.0.0.1", port) + "/health")
	if err != nil {
		fmt.Fprintf(stderr, "standin health: %v\n", err)
		return 1
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	text := strings.TrimSpace(string(body))
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "standin health: %s: %s\n", resp.Status, text)
		return 1
	}
	fmt.Fprintln(stdout, text)
	return 0
}
