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
	"testing"

	sw "github.com/swarmtop/swarmtop/swarm"
)

// fakeEngine answers /_ping with apiVersion and /info with the given swarm
// state on a unix socket: the connect failures a healthy test swarm cannot
// produce (not a swarm, a worker, an engine too old).
func fakeEngine(t *testing.T, apiVersion string, swarmInfo map[string]any) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "docker.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", apiVersion)
		switch {
		case strings.HasSuffix(r.URL.Path, "/_ping"):
			_, _ = w.Write([]byte("OK"))
		case strings.HasSuffix(r.URL.Path, "/info"):
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"ServerVersion": "99.0-fake", "Swarm": swarmInfo})
		default:
			http.Error(w, `{"message":"not here"}`, http.StatusNotFound)
		}
	}))
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return "unix://" + sock
}

func TestConnectRefusesEnginesItCannotUse(t *testing.T) {
	manager := map[string]any{"LocalNodeState": "active", "NodeID": "n1", "ControlAvailable": true}
	tests := []struct {
		name       string
		apiVersion string
		swarm      map[string]any
		kind       sw.ConnectErrorKind
		exit       int
		wantText   string
	}{
		{"not in a swarm", "1.41", map[string]any{"LocalNodeState": "inactive"}, sw.NotSwarm, 5, "docker swarm init"},
		{"a worker", "1.41", map[string]any{"LocalNodeState": "active", "NodeID": "n2", "ControlAvailable": false}, sw.Worker, 6, "manager"},
		{"API older than 1.40", "1.39", manager, sw.TooOld, 7, "1.40"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := fakeEngine(t, tt.apiVersion, tt.swarm)
			_, err := sw.Connect(context.Background(), sw.ConnectOptions{Host: host})
			var ce *sw.ConnectError
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a ConnectError", err)
			}
			if ce.Kind != tt.kind || ce.ExitCode() != tt.exit {
				t.Errorf("kind %v exit %d, want %v exit %d: %v", ce.Kind, ce.ExitCode(), tt.kind, tt.exit, err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, host) || !strings.Contains(msg, tt.wantText) {
				t.Errorf("want one line naming %s and %q, got %q", host, tt.wantText, msg)
			}
		})
	}
}

func TestConnectAcceptsAManagerAndNegotiates(t *testing.T) {
	host := fakeEngine(t, "1.41", map[string]any{"LocalNodeState": "active", "NodeID": "n1", "ControlAvailable": true})
	e, err := sw.Connect(context.Background(), sw.ConnectOptions{Host: host})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.APIVersion != "1.41" || e.NodeID != "n1" || !e.Manager || e.ServerVersion != "99.0-fake" {
		t.Errorf("engine = %+v", e)
	}
}
