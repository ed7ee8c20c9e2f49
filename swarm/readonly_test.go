package swarm

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestIsReadRequest(t *testing.T) {
	tests := []struct {
		method, path string
		want         bool
	}{
		{"GET", "/_ping", true},
		{"HEAD", "/_ping", true},
		{"GET", "/v1.51/info", true},
		{"GET", "/v1.51/events", true},
		{"GET", "/v1.51/services", true},
		{"GET", "/v1.51/services/abc/logs", true},
		{"GET", "/v1.51/tasks/abc/logs", true},
		{"GET", "/v1.51/nodes", true},
		{"POST", "/v1.51/services/abc/update", false},
		{"POST", "/v1.51/services/create", false},
		{"DELETE", "/v1.51/services/abc", false},
		{"PUT", "/v1.51/containers/abc/archive", false},
		{"POST", "/v1.51/nodes/abc/update", false},
		{"POST", "/v1.51/containers/abc/exec", false},
		{"GET", "/v1.51/containers/abc/attach/ws", false},
		{"GET", "/v1.51/exec/abc/json", false},
	}
	for _, tt := range tests {
		if got := isReadRequest(tt.method, tt.path); got != tt.want {
			t.Errorf("isReadRequest(%s %s) = %v, want %v", tt.method, tt.path, got, tt.want)
		}
	}
}

// TestListRequestsAreReads: the list calls go over an HTTP client of their
// own, past the read-only request hook, so each request they send must be
// one the hook would have let through.
func TestListRequestsAreReads(t *testing.T) {
	f := &fakeEngine{services: []byte("[]"), tasks: []byte("[]"), nodes: []byte("[]")}
	e := fakeEngineClient(t, f)
	ctx := context.Background()
	if _, err := e.listServices(ctx, stackFilter("shop"), true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.listTasks(ctx, stackFilter("shop")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.listNodes(ctx); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) != 3 {
		t.Fatalf("requests %q, want 3", f.requests)
	}
	for _, r := range f.requests {
		method, rest, _ := strings.Cut(r, " ")
		_, path, _ := strings.Cut(rest, " ") // after the Host
		path, _, _ = strings.Cut(path, " ")  // before the query
		if !strings.HasPrefix(path, "/v1.41/") {
			t.Fatalf("cannot read the path of %q", r)
		}
		if err := refuseMutatingRequest(&http.Request{Method: method, URL: &url.URL{Path: path}}); err != nil {
			t.Errorf("a list call sent %q, which read-only refuses: %v", r, err)
		}
	}
}
