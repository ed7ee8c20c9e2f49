package main

import (
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests run the real binary, built once with a stamped version, as
// Docker would: signals, exit codes and the two output streams.

const stampedVersion = "7-test"

var (
	binDir    string
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "standin-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// standinBinary builds the program as the images do, once for all tests.
func standinBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binPath = filepath.Join(binDir, "standin")
		cmd := exec.Command("go", "build", "-ldflags", "-X main.version="+stampedVersion, "-o", binPath, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// proc is a running standin.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr syncBuffer
	done           chan struct{}
	started        time.Time
	exited         time.Time
	code           int
}

func start(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(standinBinary(t), args...), done: make(chan struct{})}
	p.cmd.Env = append(cleanEnv(), env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.started = time.Now()
	go func() {
		p.cmd.Wait()
		p.exited = time.Now()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

// cleanEnv drops STANDIN_ variables the developer may have set.
func cleanEnv() []string {
	return slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "STANDIN_") })
}

// runToEnd runs standin to completion.
func runToEnd(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := start(t, env, args...)
	p.wait(t, 5*time.Second)
	return p
}

func (p *proc) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(timeout):
		t.Fatalf("still running after %v; stdout ends:\n%s", timeout, tail(p.stdout.String()))
		return -1
	}
}

func (p *proc) waitFor(t *testing.T, s string, timeout time.Duration) {
	t.Helper()
	if !eventually(timeout, func() bool { return strings.Contains(p.stdout.String(), s) }) {
		t.Fatalf("stdout never showed %q; it ends:\n%s\nstderr:\n%s", s, tail(p.stdout.String()), p.stderr.String())
	}
}

// handedOut holds the addresses freeAddr gave: the kernel may offer a
// port again once its listener is closed, and two parallel tests must not
// get the same one.
var handedOut sync.Map

// freeAddr finds a loopback port nothing listens on, for now.
func freeAddr(t *testing.T) string {
	t.Helper()
	for {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		if _, dup := handedOut.LoadOrStore(addr, true); !dup {
			return addr
		}
	}
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	return s[strings.LastIndexByte(s, '\n')+1:]
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  []string
		want string
	}{
		{"unknown role", []string{"postgres"}, nil, `unknown role "postgres"`},
		{"no role", nil, nil, "usage: standin"},
		{"bad environment", []string{"web"}, []string{"STANDIN_DRAIN=forever"}, "STANDIN_DRAIN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := runToEnd(t, tc.env, tc.args...)
			if p.code != 2 {
				t.Errorf("exit code %d, want 2", p.code)
			}
			errOut := p.stderr.String()
			if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q, want one line containing %q", errOut, tc.want)
			}
		})
	}
}

func TestVersionCommand(t *testing.T) {
	p := runToEnd(t, nil, "version")
	if p.code != 0 || p.stdout.String() != stampedVersion+"\n" {
		t.Errorf("standin version: exit %d, stdout %q; want 0, %q", p.code, p.stdout.String(), stampedVersion+"\n")
	}
}

// TestDrain stops every long-running role as Docker does and checks it
// keeps going for STANDIN_DRAIN with /health at 503, then exits 0. Flags
// after the role that it does not know must not matter.
func TestDrain(t *testing.T) {
	const drain = 300 * time.Millisecond
	for _, name := range slices.Sorted(maps.Keys(roles)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			addr := freeAddr(t)
			p := start(t, []string{"STANDIN_ADDR=" + addr, "STANDIN_DRAIN=" + drain.String(), "STANDIN_LOG_RATE=40"},
				name, "--loglevel=info", "-x")
			p.waitFor(t, "standin version "+stampedVersion, 5*time.Second)
			health := "http://" + addr + "/health"
			if !eventually(2*time.Second, func() bool { code, _ := get(health); return code == 200 }) {
				t.Fatal("/health never answered 200")
			}

			sent := time.Now()
			p.cmd.Process.Signal(syscall.SIGTERM)
			p.waitFor(t, "graceful shutdown, draining for "+drain.String(), time.Second)
			if code, _ := get(health); code != 503 {
				t.Errorf("/health = %d while draining, want 503", code)
			}
			if code := p.wait(t, 5*time.Second); code != 0 {
				t.Errorf("exit code %d, want 0; stderr %q", code, p.stderr.String())
			}
			if took := p.exited.Sub(sent); took < drain || took > drain+time.Second {
				t.Errorf("exited %v after SIGTERM, want about %v", took, drain)
			}
			final := roles[name](testOpts).final.text
			if got := lastLine(p.stdout.String()); !strings.HasSuffix(got, final) {
				t.Errorf("last line %q, want the final line %q", got, final)
			}
		})
	}
}

// TestFailExit checks STANDIN_FAIL_MODE=exit (the default): the role's
// fatal line on stderr, exit 1.
func TestFailExit(t *testing.T) {
	const after = 200 * time.Millisecond
	for _, name := range slices.Sorted(maps.Keys(roles)) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := start(t, []string{"STANDIN_ADDR=" + freeAddr(t), "STANDIN_FAIL_AFTER=" + after.String()}, name)
			if code := p.wait(t, 5*time.Second); code != 1 {
				t.Errorf("exit code %d, want 1", code)
			}
			if took := p.exited.Sub(p.started); took < after || took > after+2*time.Second {
				t.Errorf("exited after %v, want about %v", took, after)
			}
			fatal := roles[name](testOpts).fatal.text
			if got := lastLine(p.stderr.String()); !strings.HasSuffix(got, fatal) {
				t.Errorf("stderr ends %q, want the fatal line %q", got, fatal)
			}
		})
	}
}

func TestMigrate(t *testing.T) {
	tests := []struct {
		name          string
		env           []string
		wantCode      int
		minT, maxT    time.Duration
		wantStdout    string
		wantLastError *regexp.Regexp
	}{
		{"applies", []string{"STANDIN_MIGRATE_TIME=500ms"}, 0, 500 * time.Millisecond, 2 * time.Second,
			"  Applying shop.0045_customer_loyalty_points... OK\n  No migrations left to apply.\n", nil},
		{"fails", []string{"STANDIN_MIGRATE_TIME=10s", "STANDIN_FAIL_AFTER=300ms"}, 1, 300 * time.Millisecond, 2 * time.Second,
			"  Applying shop.0041_product_slug_unique...\n", regexp.MustCompile(`^django\.db\.utils\.\w+Error: \S.*$`)},
		{"unhealthy mode fails too", []string{"STANDIN_MIGRATE_TIME=10s", "STANDIN_FAIL_AFTER=0s", "STANDIN_FAIL_MODE=unhealthy"}, 1, 0, 2 * time.Second,
			"Running migrations:\n  Applying shop.0041_product_slug_unique...\n", regexp.MustCompile(`^django\.db\.utils\.\w+Error: `)},
		{"finishes before the failure", []string{"STANDIN_MIGRATE_TIME=200ms", "STANDIN_FAIL_AFTER=5s"}, 0, 200 * time.Millisecond, 2 * time.Second,
			"No migrations left to apply.\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := runToEnd(t, tc.env, "migrate")
			if p.code != tc.wantCode {
				t.Errorf("exit code %d, want %d; stderr:\n%s", p.code, tc.wantCode, p.stderr.String())
			}
			if took := p.exited.Sub(p.started); took < tc.minT || took > tc.maxT {
				t.Errorf("took %v, want between %v and %v", took, tc.minT, tc.maxT)
			}
			out := p.stdout.String()
			if !strings.HasPrefix(out, "standin version "+stampedVersion) || !strings.HasSuffix(out, tc.wantStdout) {
				t.Errorf("stdout:\n%s\nwant the version first and ending %q", out, tc.wantStdout)
			}
			if tc.wantLastError != nil && !tc.wantLastError.MatchString(lastLine(p.stderr.String())) {
				t.Errorf("stderr ends %q, want %v", lastLine(p.stderr.String()), tc.wantLastError)
			}
		})
	}
}

func TestHealthCommand(t *testing.T) {
	healthy, unhealthy := freeAddr(t), freeAddr(t)
	start(t, []string{"STANDIN_ADDR=" + healthy}, "web")
	start(t, []string{"STANDIN_ADDR=" + unhealthy, "STANDIN_FAIL_AFTER=0s", "STANDIN_FAIL_MODE=unhealthy"}, "celery-worker")
	for _, addr := range []string{healthy, unhealthy} {
		if !eventually(5*time.Second, func() bool { code, _ := get("http://" + addr + "/health"); return code != 0 }) {
			t.Fatalf("nothing answers on %s", addr)
		}
	}
	_, port, _ := net.SplitHostPort(healthy)
	tests := []struct {
		name, addr string
		want       int
		stderr     string
	}{
		{"running", healthy, 0, ""},
		{"port only", ":" + port, 0, ""},
		{"unhealthy", unhealthy, 1, "503 Service Unavailable: unhealthy"},
		{"nothing listening", freeAddr(t), 1, "connection refused"},
		{"bad address", "nonsense", 1, "STANDIN_ADDR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := runToEnd(t, []string{"STANDIN_ADDR=" + tc.addr}, "health")
			if p.code != tc.want || !strings.Contains(p.stderr.String(), tc.stderr) {
				t.Errorf("standin health: exit %d, stderr %q; want %d and %q", p.code, p.stderr.String(), tc.want, tc.stderr)
			}
		})
	}
}

// TestLogRate checks that high rates are really met, as a process whose
// output Docker reads through a pipe.
func TestLogRate(t *testing.T) {
	p := start(t, []string{"STANDIN_ADDR=" + freeAddr(t), "STANDIN_LOG_RATE=20000"}, "web")
	time.Sleep(1200 * time.Millisecond)
	lines := strings.Count(p.stdout.String(), "\n")
	if lines < 10000 {
		t.Errorf("%d lines in 1.2 s at STANDIN_LOG_RATE=20000, want at least 10000", lines)
	}
	if lines > 40000 {
		t.Errorf("%d lines in 1.2 s at STANDIN_LOG_RATE=20000: faster than asked", lines)
	}
	t.Logf("%d lines in 1.2 s", lines)
}
