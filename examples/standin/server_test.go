package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer the server's goroutines may write while
// the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// eventually polls cond every 10 ms until it holds or timeout passes.
func eventually(timeout time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(timeout); ; time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
	}
}

// get returns the status and body of a GET, or 0 if nothing answered.
func get(url string) (int, string) {
	client := http.Client{Timeout: time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// serveInProcess runs a role's server on a free loopback port; stop sends
// it SIGTERM and returns its exit code.
func serveInProcess(t *testing.T, name string, cfg config) (addr string, stdout, stderr *syncBuffer, stop func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.addr = ln.Addr().String()
	stdout, stderr = new(syncBuffer), new(syncBuffer)
	sigs := make(chan os.Signal, 1)
	done := make(chan int, 1)
	go func() { done <- serve(roles[name](testOpts), cfg, ln, sigs, stdout, stderr) }()
	stopped := false
	stop = func() int {
		stopped = true
		sigs <- syscall.SIGTERM
		select {
		case code := <-done:
			return code
		case <-time.After(5 * time.Second):
			t.Fatal("server did not stop")
			return -1
		}
	}
	t.Cleanup(func() {
		if !stopped {
			stop()
		}
	})
	return cfg.addr, stdout, stderr, stop
}

func TestHealthTurnsUnhealthy(t *testing.T) {
	cfg := config{drain: 50 * time.Millisecond, failAfter: 400 * time.Millisecond, failMode: "unhealthy", logRate: 0}
	start := time.Now()
	addr, stdout, stderr, stop := serveInProcess(t, "web", cfg)
	url := "http://" + addr + "/health"

	if code, body := get(url); code != 200 || body != "ok\n" {
		t.Fatalf("before STANDIN_FAIL_AFTER: %d %q, want 200 ok", code, body)
	}
	if code := checkHealth(addr, io.Discard, io.Discard); code != 0 {
		t.Errorf("standin health = %d while healthy, want 0", code)
	}
	if !eventually(3*time.Second, func() bool { code, _ := get(url); return code == 503 }) {
		t.Fatal("/health never answered 503")
	}
	if took := time.Since(start); took < 400*time.Millisecond {
		t.Errorf("unhealthy after %v, before STANDIN_FAIL_AFTER", took)
	}
	if code, _ := get(url + "/"); code != 503 {
		t.Errorf("/health/ = %d, want 503 like /health", code)
	}
	if code := checkHealth(addr, io.Discard, io.Discard); code != 1 {
		t.Errorf("standin health = %d while unhealthy, want 1", code)
	}
	if !strings.Contains(stderr.String(), "OperationalError") {
		t.Errorf("stderr does not say why it became unhealthy: %q", stderr.String())
	}
	// Unhealthy is not dead: it keeps serving and still drains cleanly.
	if code, _ := get("http://" + addr + "/"); code != 200 {
		t.Errorf("/ = %d while unhealthy, want 200", code)
	}
	if code := stop(); code != 0 {
		t.Errorf("exit code %d after drain, want 0", code)
	}
	if !strings.HasSuffix(stdout.String(), "goodbye to uWSGI.\n") {
		t.Errorf("no final line; stdout ends %q", tail(stdout.String()))
	}
}

func TestRootPage(t *testing.T) {
	tests := []struct {
		role      string
		accessLog string // what the request's line contains; "" when the role has no access log
	}{
		{"web", "] GET /?from=test => generated "},
		{"nginx", `"GET /?from=test HTTP/1.1" 200 `},
		{"static", `"GET /?from=test HTTP/1.1" 200 `},
		{"media", `"GET /?from=test HTTP/1.1" 200 `},
		{"memcached", ""},
		{"rabbitmq", ""},
	}
	for _, tc := range tests {
		t.Run(tc.role, func(t *testing.T) {
			cfg := config{drain: 10 * time.Millisecond, failAfter: -1, logRate: 0}
			addr, stdout, _, stop := serveInProcess(t, tc.role, cfg)
			code, body := get("http://" + addr + "/?from=test")
			if want := "standin " + tc.role + " version " + version + "\n"; code != 200 || body != want {
				t.Errorf("GET / = %d %q, want 200 %q", code, body, want)
			}
			if code, _ := get("http://" + addr + "/nope"); code != 404 {
				t.Errorf("GET /nope = %d, want 404", code)
			}
			stop()
			if tc.accessLog == "" {
				if strings.Contains(stdout.String(), "/?from=test") {
					t.Errorf("%s logged a request:\n%s", tc.role, tail(stdout.String()))
				}
				return
			}
			if !strings.Contains(stdout.String(), tc.accessLog) {
				t.Errorf("no access line containing %q:\n%s", tc.accessLog, tail(stdout.String()))
			}
			if !strings.Contains(stdout.String(), "/nope") {
				t.Errorf("the 404 was not logged")
			}
		})
	}
}

// tail is the end of some output, for failure messages.
func tail(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-8):], "\n")
}
