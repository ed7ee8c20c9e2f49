package main

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/internal/enginetest"
)

// remoteEnv is an environment with an empty docker config directory and
// nothing that picks an engine, plus extra.
func remoteEnv(configDir string, extra ...string) []string {
	env := []string{"DOCKER_CONFIG=" + configDir, "DOCKER_HOST=", "DOCKER_CONTEXT=",
		"DOCKER_TLS_VERIFY=", "DOCKER_TLS=", "DOCKER_CERT_PATH="}
	return append(env, extra...)
}

// remoteRun runs swarmtop and fails the test unless it exits 0.
func remoteRun(t *testing.T, env []string, args ...string) string {
	t.Helper()
	stdout, stderr, code := runSwarmtop(t, env, args...)
	if code != 0 {
		t.Fatalf("swarmtop %v: exit %d: %s", args, code, stderr)
	}
	return stdout
}

// nodesWithoutTasks drops the TASKS column of `swarmtop nodes`, which
// parallel tests change, leaving what identifies the swarm.
func nodesWithoutTasks(out string) string {
	var rows []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		fields := strings.Fields(line)
		rows = append(rows, strings.Join(fields[:len(fields)-1], " "))
	}
	return strings.Join(rows, "\n")
}

func TestRemoteTCPAddress(t *testing.T) {
	t.Parallel()
	e := enginetest.Engine(t)
	proxy := enginetest.NewCutProxy(t).Host
	cfg := t.TempDir()
	wantNodes := nodesWithoutTasks(remoteRun(t, remoteEnv(cfg), "nodes"))
	info, err := e.Client().Info(context.Background(), client.InfoOptions{})
	if err != nil {
		t.Fatal(err)
	}

	ways := []struct {
		name string
		env  []string
		args []string
	}{
		{"-H", remoteEnv(cfg), []string{"-H", proxy}},
		{"--host", remoteEnv(cfg), []string{"--host=" + proxy}},
		{"DOCKER_HOST", remoteEnv(cfg, "DOCKER_HOST="+proxy), nil},
	}
	for _, way := range ways {
		t.Run(way.name, func(t *testing.T) {
			version := remoteRun(t, way.env, append([]string{"version"}, way.args...)...)
			if !strings.Contains(version, "engine: "+info.Info.ServerVersion+" at "+proxy+", API") {
				t.Errorf("version does not name %s:\n%s", proxy, version)
			}
			if nodes := nodesWithoutTasks(remoteRun(t, way.env, append([]string{"nodes"}, way.args...)...)); nodes != wantNodes {
				t.Errorf("nodes through %s:\n%s\nwant, as on the local socket:\n%s", proxy, nodes, wantNodes)
			}
			if status := remoteRun(t, way.env, append([]string{"status"}, way.args...)...); !strings.HasPrefix(status, "STACK ") {
				t.Errorf("status through %s:\n%s", proxy, status)
			}
		})
	}
}

func TestRemoteContexts(t *testing.T) {
	t.Parallel()
	enginetest.Engine(t)
	proxy := enginetest.NewCutProxy(t).Host
	wantNodes := nodesWithoutTasks(remoteRun(t, remoteEnv(t.TempDir()), "nodes"))

	ways := []struct {
		name    string
		extra   []string // environment
		args    []string
		current string // config.json's currentContext
	}{
		{"--context", nil, []string{"--context", "proxy"}, ""},
		{"DOCKER_CONTEXT", []string{"DOCKER_CONTEXT=proxy"}, nil, ""},
		{"currentContext", nil, nil, "proxy"},
	}
	for _, way := range ways {
		t.Run(way.name, func(t *testing.T) {
			cfg := t.TempDir()
			enginetest.WriteContext(t, cfg, "proxy", proxy)
			if way.current != "" {
				enginetest.WriteCurrentContext(t, cfg, way.current)
			}
			env := remoteEnv(cfg, way.extra...)
			version := remoteRun(t, env, append([]string{"version"}, way.args...)...)
			if want := "at " + proxy + ` (context "proxy"), API`; !strings.Contains(version, want) {
				t.Errorf("version lacks %q:\n%s", want, version)
			}
			if nodes := nodesWithoutTasks(remoteRun(t, env, append([]string{"nodes"}, way.args...)...)); nodes != wantNodes {
				t.Errorf("nodes through context:\n%s\nwant:\n%s", nodes, wantNodes)
			}
		})
	}
}

// TestRemoteAddressErrors checks each failure is one line on stderr naming
// the address or context, with exit 2 for what the operator typed wrong and
// 3 for an engine that does not answer.
func TestRemoteAddressErrors(t *testing.T) {
	t.Parallel()
	cfg := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "tcp://" + ln.Addr().String()
	ln.Close()
	enginetest.WriteContext(t, cfg, "dead", dead)
	withCurrent := t.TempDir()
	enginetest.WriteCurrentContext(t, withCurrent, "gone")

	tests := []struct {
		name     string
		env      []string
		args     []string
		wantExit int
		want     []string
	}{
		{"unknown --context", remoteEnv(cfg), []string{"nodes", "--context", "nope"}, 2,
			[]string{`no such docker context "nope"`, "--context"}},
		{"unknown DOCKER_CONTEXT", remoteEnv(cfg, "DOCKER_CONTEXT=nope"), []string{"nodes"}, 2,
			[]string{`"nope"`, "DOCKER_CONTEXT"}},
		{"unknown currentContext", remoteEnv(withCurrent), []string{"nodes"}, 2,
			[]string{`"gone"`, filepath.Join(withCurrent, "config.json")}},
		{"--host with --context", remoteEnv(cfg), []string{"nodes", "-H", dead, "--context", "dead"}, 2,
			[]string{"--host and --context", dead}},
		{"context's engine down", remoteEnv(cfg), []string{"nodes", "--context", "dead"}, 3,
			[]string{dead, `(context "dead")`, "connection refused"}},
		{"-H engine down", remoteEnv(cfg), []string{"status", "-H", dead}, 3,
			[]string{dead, "connection refused"}},
		{"bad -H", remoteEnv(cfg), []string{"status", "-H", "nonsense"}, 2,
			[]string{"nonsense"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runSwarmtop(t, tt.env, tt.args...)
			if code != tt.wantExit {
				t.Errorf("exit %d, want %d: %s", code, tt.wantExit, stderr)
			}
			if strings.Count(strings.TrimRight(stderr, "\n"), "\n") != 0 {
				t.Errorf("stderr is not one line:\n%s", stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q: %s", w, stderr)
				}
			}
		})
	}
	t.Run("version still prints", func(t *testing.T) {
		stdout := remoteRun(t, remoteEnv(cfg), "version", "--context", "nope")
		if !strings.Contains(stdout, `engine: not reachable (no such docker context "nope"`) {
			t.Errorf("version output:\n%s", stdout)
		}
	})
}
