package swarm

import "testing"

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
