package swarm_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	sw "github.com/swarmtop/swarmtop/swarm"
)

// fakeEngine answers /_ping with apiVersion, /info with the given swarm
// state and /swarm as a manager would (503 otherwise) on a unix socket: the
// connect failures a healthy test swarm cannot produce (not a swarm, a
// worker, an engine too old). pingRole, when set, is the "Swarm" header
// engines from API 1.44 put on the ping. It counts /info calls.
type fakeEngineOpts struct {
	apiVersion string
	swarm      map[string]any
	pingRole   string
}

func fakeEngine(t *testing.T, o fakeEngineOpts) (host string, infoCalls *atomic.Int32) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "docker.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	infoCalls = &atomic.Int32{}
	manager := o.swarm["LocalNodeState"] == "active" && o.swarm["ControlAvailable"] == true
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", o.apiVersion)
		switch {
		case strings.HasSuffix(r.URL.Path, "/_ping"):
			if o.pingRole != "" {
				w.Header().Set("Swarm", o.pingRole)
			}
			_, _ = w.Write([]byte("OK"))
		case strings.HasSuffix(r.URL.Path, "/info"):
			infoCalls.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"ServerVersion": "99.0-fake", "Swarm": o.swarm})
		case strings.HasSuffix(r.URL.Path, "/swarm") && manager:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"ID":"cluster1"}`))
		case strings.HasSuffix(r.URL.Path, "/swarm"):
			http.Error(w, `{"message":"This node is not a swarm manager."}`, http.StatusServiceUnavailable)
		default:
			http.Error(w, `{"message":"not here"}`, http.StatusNotFound)
		}
	}))
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return "unix://" + sock, infoCalls
}

func TestConnectRefusesEnginesItCannotUse(t *testing.T) {
	manager := map[string]any{"LocalNodeState": "active", "NodeID": "n1", "ControlAvailable": true}
	tests := []struct {
		name       string
		apiVersion string
		swarm      map[string]any
		pingRole   string
		kind       sw.ConnectErrorKind
		exit       int
		wantText   string
	}{
		{"not in a swarm", "1.41", map[string]any{"LocalNodeState": "inactive"}, "", sw.NotSwarm, 5, "docker swarm init"},
		{"a worker", "1.41", map[string]any{"LocalNodeState": "active", "NodeID": "n2", "ControlAvailable": false}, "", sw.Worker, 6, "manager"},
		{"a locked manager", "1.41", map[string]any{"LocalNodeState": "locked"}, "", sw.NotSwarm, 5, "locked"},
		{"not in a swarm, said by the ping", "1.44", manager, "inactive/worker", sw.NotSwarm, 5, "docker swarm init"},
		{"a worker, said by the ping", "1.44", manager, "active/worker", sw.Worker, 6, "manager"},
		{"API older than 1.40", "1.39", manager, "", sw.TooOld, 7, "1.40"},
	}
	for _, tt := range tests {
		for _, deferred := range []bool{false, true} {
			name := tt.name
			if deferred {
				name += ", role check deferred to ReadStack"
			}
			t.Run(name, func(t *testing.T) {
				host, _ := fakeEngine(t, fakeEngineOpts{apiVersion: tt.apiVersion, swarm: tt.swarm, pingRole: tt.pingRole})
				err := connectAndRead(host, deferred)
				checkConnectError(t, err, host, tt.kind, tt.exit, tt.wantText)
			})
		}
	}
}

// connectAndRead connects and, with the role check deferred, reads a
// stack: the error either gives is what a command would stop with.
func connectAndRead(host string, deferred bool) error {
	e, err := sw.Connect(context.Background(), sw.ConnectOptions{Host: host, DeferRoleCheck: deferred})
	if err != nil || !deferred {
		return err
	}
	defer e.Close()
	_, err = e.ReadStack(context.Background(), "shop")
	return err
}

func checkConnectError(t *testing.T, err error, host string, kind sw.ConnectErrorKind, exit int, wantText string) {
	t.Helper()
	var ce *sw.ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a ConnectError", err)
	}
	if ce.Kind != kind || ce.ExitCode() != exit {
		t.Errorf("kind %v exit %d, want %v exit %d: %v", ce.Kind, ce.ExitCode(), kind, exit, err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, host) || !strings.Contains(msg, wantText) {
		t.Errorf("want one line naming %s and %q, got %q", host, wantText, msg)
	}
}

// A manager is accepted without /info, which costs an engine ten times what
// /swarm does; `version` still reads it for the engine's version.
func TestConnectAcceptsAManagerAndNegotiates(t *testing.T) {
	manager := map[string]any{"LocalNodeState": "active", "NodeID": "n1", "ControlAvailable": true}
	tests := []struct {
		name         string
		opts         fakeEngineOpts
		allowNoSwarm bool
		wantInfo     int32
		wantVersion  string
	}{
		{"API 1.41: /swarm answers", fakeEngineOpts{apiVersion: "1.41", swarm: manager}, false, 0, ""},
		{"API 1.44: the ping says manager", fakeEngineOpts{apiVersion: "1.44", swarm: manager, pingRole: "active/manager"}, false, 0, ""},
		{"version reads /info", fakeEngineOpts{apiVersion: "1.41", swarm: manager}, true, 1, "99.0-fake"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host, infoCalls := fakeEngine(t, tt.opts)
			e, err := sw.Connect(context.Background(), sw.ConnectOptions{Host: host, AllowNoSwarm: tt.allowNoSwarm})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			if e.APIVersion != tt.opts.apiVersion || !e.Manager || e.ServerVersion != tt.wantVersion {
				t.Errorf("engine = %+v, want API %s, a manager, version %q", e, tt.opts.apiVersion, tt.wantVersion)
			}
			if got := infoCalls.Load(); got != tt.wantInfo {
				t.Errorf("/info called %d times, want %d", got, tt.wantInfo)
			}
		})
	}
}
