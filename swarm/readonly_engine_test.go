package swarm_test

import (
	"errors"
	"testing"

	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/internal/enginetest"
	sw "github.com/swarmtop/swarmtop/swarm"
)

// TestReadOnlyEngineSendsNoWrite sends every mutating Engine method, and
// raw client writes that bypass them, through a read-only engine behind a
// counting proxy: each is refused with a ReadOnlyError and the engine sees
// reads only.
func TestReadOnlyEngineSendsNoWrite(t *testing.T) {
	e, stack, ctx := actSetup(t)
	id := actCreateOnly(ctx, t, e, actSpec(stack, "web", "swarmtop/standin:1", 1))
	before := actInspect(ctx, t, e, id)
	proxy := enginetest.NewProxy(t)
	ro, err := sw.Connect(ctx, sw.ConnectOptions{Host: proxy.Host, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if !ro.ReadOnly() || e.ReadOnly() {
		t.Fatalf("ReadOnly() = %v for the read-only engine, %v for the other", ro.ReadOnly(), e.ReadOnly())
	}
	st := depLoad(t, stack, nil, depWriteStack(t, t.TempDir()))

	refused := map[string]func() error{
		"scale":    func() error { _, err := ro.Scale(ctx, stack, map[string]uint64{"web": 3}); return err },
		"restart":  func() error { _, err := ro.Restart(ctx, stack, []string{"web"}); return err },
		"image":    func() error { _, err := ro.SetImage(ctx, stack, "web", "swarmtop/standin:2"); return err },
		"release":  func() error { _, _, err := ro.Release(ctx, stack, "2", ""); return err },
		"rollback": func() error { _, err := ro.Rollback(ctx, stack, []string{"web"}); return err },
		"deploy":   func() error { _, err := ro.Deploy(ctx, st, sw.DeployOptions{}); return err },
		// The transport refuses what no Engine method guards.
		"raw service remove": func() error { _, err := ro.Client().ServiceRemove(ctx, id, client.ServiceRemoveOptions{}); return err },
		"raw network create": func() error {
			_, err := ro.Client().NetworkCreate(ctx, stack+"_x", client.NetworkCreateOptions{Driver: "overlay"})
			return err
		},
		"raw exec": func() error {
			_, err := ro.Client().ExecCreate(ctx, "nonexistent", client.ExecCreateOptions{Cmd: []string{"true"}})
			return err
		},
	}
	for name, call := range refused {
		err := call()
		var roErr *sw.ReadOnlyError
		if !errors.As(err, &roErr) || roErr.ExitCode() != 2 {
			t.Errorf("%s: err = %v, want a ReadOnlyError", name, err)
		}
	}
	if _, err := ro.StackServices(ctx, stack); err != nil {
		t.Errorf("reads must work read-only: %v", err)
	}
	if m := proxy.Mutating(); len(m) != 0 {
		t.Errorf("mutating requests reached the engine: %v", m)
	}
	if proxy.Reads() == 0 {
		t.Error("no read reached the engine through the proxy")
	}
	if after := actInspect(ctx, t, e, id); after.Meta.Version != before.Meta.Version {
		t.Errorf("service written: version %d → %d", before.Meta.Version.Index, after.Meta.Version.Index)
	}
}
