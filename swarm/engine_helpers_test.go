package swarm_test

import (
	"context"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/internal/enginetest"
	sw "github.com/swarmtop/swarmtop/swarm"
)

// engineSetup gives an engine test the shared engine, a stack of its own
// (removed afterwards) and a context that ends after timeout or when the
// test does.
func engineSetup(t testing.TB, timeout time.Duration) (*sw.Engine, string, context.Context) {
	t.Helper()
	e := enginetest.Engine(t)
	stack := enginetest.Stack(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	return e, stack, ctx
}

// cutEngine connects to the engine through a proxy the test can cut and
// restore; the connection is closed when the test ends.
func cutEngine(ctx context.Context, t testing.TB) (*enginetest.CutProxy, *sw.Engine) {
	t.Helper()
	proxy := enginetest.NewCutProxy(t)
	pe, err := sw.Connect(ctx, sw.ConnectOptions{Host: proxy.Host})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pe.Close() })
	return proxy, pe
}

// rawScale sets a service's replicas with the moby client directly.
func rawScale(ctx context.Context, t *testing.T, api *client.Client, id string, replicas uint64) {
	t.Helper()
	res, err := api.ServiceInspect(ctx, id, client.ServiceInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	spec := res.Service.Spec
	spec.Mode.Replicated.Replicas = &replicas
	if _, err := api.ServiceUpdate(ctx, id, client.ServiceUpdateOptions{Version: res.Service.Version, Spec: spec}); err != nil {
		t.Fatal(err)
	}
}
