package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// nonManagerEngine is an engine at API 1.41 (its ping does not say its
// swarm role) whose node is not a manager: every swarm call answers 503,
// as a real one does, and /info says why. A healthy test swarm cannot be
// made into one, so it is served here on a unix socket.
func nonManagerEngine(t *testing.T, swarmInfo map[string]any) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "swarmtop-role") // short: socket paths are limited to ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	ln, err := net.Listen("unix", filepath.Join(dir, "docker.sock"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.41")
		switch {
		case strings.HasSuffix(r.URL.Path, "/_ping"):
			_, _ = w.Write([]byte("OK"))
		case strings.HasSuffix(r.URL.Path, "/info"):
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{"ServerVersion": "20.10-fake", "Swarm": swarmInfo})
		default:
			http.Error(w, `{"message":"This node is not a swarm manager."}`, http.StatusServiceUnavailable)
		}
	}))
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return "unix://" + ln.Addr().String()
}

// `status` reads the stack while the engine's role is still being checked
// (one round trip less); on a node that is no manager it must still stop
// with the role's own error and exit status, not a list's 503.
func TestStatusOnANodeThatIsNoManager(t *testing.T) {
	tests := []struct {
		name     string
		info     map[string]any
		exit     int
		wantText string
	}{
		{"not in a swarm", map[string]any{"LocalNodeState": "inactive"}, 5, "docker swarm init"},
		{"a worker", map[string]any{"LocalNodeState": "active", "NodeID": "n2", "ControlAvailable": false}, 6, "manager"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := nonManagerEngine(t, tt.info)
			_, stderr, code := runSwarmtop(t, []string{"DOCKER_HOST=" + host, "DOCKER_CONTEXT="}, "status", "-s", "shop")
			if code != tt.exit || !strings.Contains(stderr, tt.wantText) || strings.Contains(stderr, "503") {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.exit, tt.wantText)
			}
		})
	}
}
