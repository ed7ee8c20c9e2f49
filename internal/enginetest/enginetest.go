// Package enginetest gives engine tests a connection to the real swarm from
// `make swarm` and a stack name of their own that is removed afterwards.
package enginetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	swarmtypes "github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/swarm"
)

// NamespaceLabel is the label `docker stack deploy` puts on every stack object.
const NamespaceLabel = swarm.NamespaceLabel

var (
	connectOnce sync.Once
	engine      *swarm.Engine
	connectErr  error
)

// Engine returns a connection to a swarm manager. Without one the test is
// skipped with one line saying how to get one; under CI=true it fails,
// because CI must run the engine tests, never skip them.
func Engine(t testing.TB) *swarm.Engine {
	t.Helper()
	connectOnce.Do(func() {
		engine, connectErr = swarm.Connect(context.Background(), swarm.ConnectOptions{})
	})
	if connectErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("engine tests need a swarm manager under CI: %v", connectErr)
		}
		t.Skipf("engine test skipped: %v; run `make swarm` as root to get a local swarm", connectErr)
	}
	return engine
}

// Stack returns a stack name unique to this test and registers a cleanup that
// removes every service, network, secret and config labelled with it, even
// when the test fails.
func Stack(t testing.TB, e *swarm.Engine) string {
	t.Helper()
	name := "t" + randomHex(4)
	t.Cleanup(func() { RemoveStack(t, e.Client(), name) })
	return name
}

// RemoveStack removes a stack's objects the way `docker stack rm` does:
// services first, then secrets and configs, then networks once tasks have
// detached from them (a network stays in use for a few seconds).
func RemoveStack(t testing.TB, api *client.Client, stack string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	f := make(client.Filters).Add("label", NamespaceLabel+"="+stack)

	if res, err := api.ServiceList(ctx, client.ServiceListOptions{Filters: f}); err == nil {
		for _, s := range res.Items {
			if _, err := api.ServiceRemove(ctx, s.ID, client.ServiceRemoveOptions{}); err != nil {
				t.Logf("cleanup: remove service %s: %v", s.Spec.Name, err)
			}
		}
	}
	waitTasksGone(ctx, api, f)
	if res, err := api.SecretList(ctx, client.SecretListOptions{Filters: f}); err == nil {
		for _, s := range res.Items {
			_, _ = api.SecretRemove(ctx, s.ID, client.SecretRemoveOptions{})
		}
	}
	if res, err := api.ConfigList(ctx, client.ConfigListOptions{Filters: f}); err == nil {
		for _, c := range res.Items {
			_, _ = api.ConfigRemove(ctx, c.ID, client.ConfigRemoveOptions{})
		}
	}
	removeNetworks(ctx, t, api, f)
}

// waitTasksGone polls until every task of the stack has stopped, so the
// networks can be removed. Tasks of a removed job service are never deleted
// by the engine, so stopped tasks count as gone.
func waitTasksGone(ctx context.Context, api *client.Client, f client.Filters) {
	for ctx.Err() == nil {
		res, err := api.TaskList(ctx, client.TaskListOptions{Filters: f})
		if err != nil || allStopped(res.Items) {
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
}

func allStopped(tasks []swarmtypes.Task) bool {
	for _, t := range tasks {
		switch t.Status.State {
		case swarmtypes.TaskStateComplete, swarmtypes.TaskStateShutdown, swarmtypes.TaskStateFailed,
			swarmtypes.TaskStateRejected, swarmtypes.TaskStateOrphaned, swarmtypes.TaskStateRemove:
		default:
			return false
		}
	}
	return true
}

func removeNetworks(ctx context.Context, t testing.TB, api *client.Client, f client.Filters) {
	for ctx.Err() == nil {
		res, err := api.NetworkList(ctx, client.NetworkListOptions{Filters: f})
		if err != nil || len(res.Items) == 0 {
			return
		}
		for _, n := range res.Items {
			_, err := api.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{})
			if err != nil && !strings.Contains(err.Error(), "No such network") {
				t.Logf("cleanup: network %s not removed yet: %v", n.Name, err)
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
