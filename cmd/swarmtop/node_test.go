package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/internal/enginetest"
)

// TestNodePauseActivateCommands pauses the local node and makes it active
// again through the binary. It never drains the node: that would stop
// every other test's tasks on the single-node swarm. Not parallel, and the
// cleanup makes the node active again whatever happened.
func TestNodePauseActivateCommands(t *testing.T) {
	e := enginetest.Engine(t)
	node := activeTestNode(t, e.Client())
	t.Cleanup(func() { enginetest.KeepNodeActive(t, e.Client(), node.ID) })
	auditLog := filepath.Join(t.TempDir(), "audit.log")
	env := []string{"SWARMTOP_AUDIT_LOG=" + auditLog}

	stdout, stderr, code := runSwarmtop(t, env, "node", "pause", node.Description.Hostname)
	if code != 0 || !strings.Contains(stdout, "node pause  "+node.Description.Hostname+"  active → pause") {
		t.Fatalf("pause: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	stdout, stderr, code = runSwarmtop(t, env, "node", "activate", node.ID)
	if code != 0 || !strings.Contains(stdout, "pause → active") {
		t.Fatalf("activate: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	log, err := os.ReadFile(auditLog)
	if err != nil || !strings.Contains(string(log), "node pause") || !strings.Contains(string(log), "node activate") {
		t.Errorf("audit log lacks the node changes (%v):\n%s", err, log)
	}
}

func TestNodeCommandsRefuseBadInput(t *testing.T) {
	enginetest.Engine(t)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown node", []string{"node", "pause", "no-such-node"}, "the nodes are:"},
		{"no node", []string{"node", "drain"}, "usage"},
		{"unknown verb", []string{"node", "reboot", "vm"}, "unknown command"},
		{"no verb", []string{"node"}, "want drain, pause or activate"},
		{"read-only", []string{"--read-only", "node", "drain", "vm"}, "read-only"},
	}
	for _, tt := range tests {
		_, stderr, code := runSwarmtop(t, nil, tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tt.name, code, stderr, tt.want)
		}
	}
}

// activeTestNode is the first node; a node that is not active is someone's
// maintenance and is left alone.
func activeTestNode(t *testing.T, api *client.Client) swarm.Node {
	t.Helper()
	res, err := api.NodeList(context.Background(), client.NodeListOptions{})
	if err != nil || len(res.Items) == 0 {
		t.Fatalf("node list: %v", err)
	}
	node := res.Items[0]
	if node.Spec.Availability != swarm.NodeAvailabilityActive {
		t.Skipf("node %s is %s, not active: not touching it", node.Description.Hostname, node.Spec.Availability)
	}
	return node
}
