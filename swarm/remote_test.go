package swarm_test

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmtop/swarmtop/internal/enginetest"
	sw "github.com/swarmtop/swarmtop/swarm"
)

// closedAddress is a loopback port nothing listens on.
func closedAddress(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// isolateDockerEnv points the docker configuration at an empty directory
// and clears the variables that pick an engine, so the developer's own
// contexts cannot leak in. It returns the configuration directory.
func isolateDockerEnv(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)
	for _, name := range []string{"DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_TLS", "DOCKER_CERT_PATH"} {
		t.Setenv(name, "")
	}
	return dir
}

func TestConnectThroughSecondAddress(t *testing.T) {
	local := enginetest.Engine(t)
	isolateDockerEnv(t)
	proxy := enginetest.NewCutProxy(t).Host

	check := func(t *testing.T, opts sw.ConnectOptions) {
		e, err := sw.Connect(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		if e.Host != proxy || e.Context != "" || nodeID(t, e) != nodeID(t, local) || !e.Manager {
			t.Errorf("got host %s context %q node %s manager %v; want %s, no context, node %s, a manager",
				e.Host, e.Context, nodeID(t, e), e.Manager, proxy, nodeID(t, local))
		}
	}
	t.Run("host option", func(t *testing.T) { check(t, sw.ConnectOptions{Host: proxy}) })
	t.Run("DOCKER_HOST", func(t *testing.T) {
		t.Setenv("DOCKER_HOST", proxy)
		check(t, sw.ConnectOptions{})
	})
}

// TestConnectContextPrecedence checks the docker CLI's order: --host,
// --context, DOCKER_HOST, DOCKER_CONTEXT, currentContext, local socket.
func TestConnectContextPrecedence(t *testing.T) {
	local := enginetest.Engine(t)
	cfg := isolateDockerEnv(t)
	proxy := enginetest.NewCutProxy(t).Host
	dead := "tcp://" + closedAddress(t)
	enginetest.WriteContext(t, cfg, "proxy", proxy)
	enginetest.WriteContext(t, cfg, "dead", dead)

	tests := []struct {
		name        string
		opts        sw.ConnectOptions
		env         map[string]string
		current     string // config.json's currentContext
		wantHost    string
		wantContext string
	}{
		{"--context", sw.ConnectOptions{Context: "proxy"}, nil, "", proxy, "proxy"},
		{"DOCKER_CONTEXT", sw.ConnectOptions{}, map[string]string{"DOCKER_CONTEXT": "proxy"}, "", proxy, "proxy"},
		{"currentContext", sw.ConnectOptions{}, nil, "proxy", proxy, "proxy"},
		{"DOCKER_CONTEXT beats currentContext", sw.ConnectOptions{}, map[string]string{"DOCKER_CONTEXT": "proxy"}, "dead", proxy, "proxy"},
		{"DOCKER_HOST beats DOCKER_CONTEXT", sw.ConnectOptions{}, map[string]string{"DOCKER_HOST": proxy, "DOCKER_CONTEXT": "dead"}, "dead", proxy, ""},
		{"--context beats DOCKER_HOST", sw.ConnectOptions{Context: "proxy"}, map[string]string{"DOCKER_HOST": dead}, "", proxy, "proxy"},
		{"--host beats DOCKER_CONTEXT", sw.ConnectOptions{Host: proxy}, map[string]string{"DOCKER_CONTEXT": "dead"}, "dead", proxy, ""},
		{"--context default is DOCKER_HOST", sw.ConnectOptions{Context: "default"}, map[string]string{"DOCKER_HOST": proxy}, "dead", proxy, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			enginetest.WriteCurrentContext(t, cfg, tt.current)
			e, err := sw.Connect(context.Background(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			if e.Host != tt.wantHost || e.Context != tt.wantContext || nodeID(t, e) != nodeID(t, local) {
				t.Errorf("got %s (context %q, node %s), want %s (context %q, node %s)",
					e.Host, e.Context, nodeID(t, e), tt.wantHost, tt.wantContext, nodeID(t, local))
			}
		})
	}
}

func TestConnectContextErrorsNameTheContext(t *testing.T) {
	cfg := isolateDockerEnv(t)
	dead := "tcp://" + closedAddress(t)
	enginetest.WriteContext(t, cfg, "dead", dead)
	enginetest.WriteContextMeta(t, cfg, "broken", "{")

	tests := []struct {
		name     string
		opts     sw.ConnectOptions
		env      map[string]string
		wantKind sw.ConnectErrorKind
		wantExit int
		want     []string
	}{
		{"unknown --context", sw.ConnectOptions{Context: "nope"}, nil, sw.NoContext, 2,
			[]string{`no such docker context "nope"`, "--context", filepath.Join(cfg, "contexts")}},
		{"unknown DOCKER_CONTEXT", sw.ConnectOptions{}, map[string]string{"DOCKER_CONTEXT": "nope"}, sw.NoContext, 2,
			[]string{`"nope"`, "DOCKER_CONTEXT"}},
		{"--host with --context", sw.ConnectOptions{Host: dead, Context: "dead"}, nil, sw.BadConfig, 2,
			[]string{"--host and --context", dead}},
		{"unreadable meta.json", sw.ConnectOptions{Context: "broken"}, nil, sw.BadConfig, 2,
			[]string{`context "broken"`, "meta.json"}},
		{"engine down", sw.ConnectOptions{Context: "dead"}, nil, sw.NoEngine, 3,
			[]string{dead, `(context "dead")`, "connection refused"}},
		{"TLS files missing", sw.ConnectOptions{Host: dead}, map[string]string{"DOCKER_TLS_VERIFY": "1"}, sw.BadConfig, 2,
			[]string{dead, filepath.Join(cfg, "ca.pem"), "no such file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			_, err := sw.Connect(context.Background(), tt.opts)
			var ce *sw.ConnectError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a ConnectError", err)
			}
			if ce.Kind != tt.wantKind || ce.ExitCode() != tt.wantExit {
				t.Errorf("kind %d exit %d, want kind %d exit %d: %v", ce.Kind, ce.ExitCode(), tt.wantKind, tt.wantExit, err)
			}
			assertOneLineNaming(t, err, tt.want...)
		})
	}
}

func assertOneLineNaming(t *testing.T, err error, want ...string) {
	t.Helper()
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line:\n%s", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q: %s", w, msg)
		}
	}
}
