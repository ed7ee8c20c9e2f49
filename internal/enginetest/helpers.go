package enginetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	swarmtypes "github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
)

// FreePort picks a TCP port no process holds now, for a stack's published
// port: the example stack's nginx must not collide with a demo left
// running.
func FreePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// KeepNodeActive makes the node active again with plain client calls,
// retrying a stale version: a test that pauses or drains the one node of
// the test swarm registers it as a cleanup, so neither a failure nor a bug
// in swarmtop's own node actions can leave the swarm unable to run tasks.
func KeepNodeActive(t testing.TB, api *client.Client, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for range 5 {
		res, err := api.NodeInspect(ctx, id, client.NodeInspectOptions{})
		if err == nil && res.Node.Spec.Availability == swarmtypes.NodeAvailabilityActive {
			return
		}
		if err == nil {
			spec := res.Node.Spec
			spec.Availability = swarmtypes.NodeAvailabilityActive
			_, err = api.NodeUpdate(ctx, id, client.NodeUpdateOptions{Version: res.Node.Meta.Version, Spec: spec})
		}
		if err == nil {
			return
		}
		t.Logf("cleanup: make node active: %v", err)
	}
	t.Errorf("cleanup: node %s may not be active; run `docker node update --availability active %s`", id, id)
}

// WriteContext lays a docker CLI context out in configDir the way `docker
// context create` does, pointing at host.
func WriteContext(t testing.TB, configDir, name, host string) {
	t.Helper()
	WriteContextMeta(t, configDir, name,
		`{"Name":"`+name+`","Metadata":{},"Endpoints":{"docker":{"Host":"`+host+`","SkipTLSVerify":false}}}`)
}

// WriteContextMeta writes a context's meta.json as given, where the CLI
// keeps it: contexts/meta/<sha256 of the name>/meta.json.
func WriteContextMeta(t testing.TB, configDir, name, meta string) {
	t.Helper()
	sum := sha256.Sum256([]byte(name))
	dir := filepath.Join(configDir, "contexts", "meta", hex.EncodeToString(sum[:]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "meta.json"), []byte(meta), 0o644); err != nil {
		t.Fatal(err)
	}
}

// WriteCurrentContext writes a config.json that selects the context.
func WriteCurrentContext(t testing.TB, configDir, name string) {
	t.Helper()
	cfg := `{"auths":{},"currentContext":"` + name + `"}`
	if err := os.WriteFile(filepath.Join(configDir, "config.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
}
