package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/internal/enginetest"
)

// TestTUIRidesOutALostEngine runs the binary in tmux at 80×24 through a
// proxy, cuts the engine, scales web meanwhile through the real socket and
// restores the engine: the screen says disconnected since when, then live
// again within about 2 s, with the new replica count.
func TestTUIRidesOutALostEngine(t *testing.T) {
	requireTmux(t)
	e := enginetest.Engine(t)
	stack := enginetest.Stack(t, e)
	id := createService(t, e, e2eSpec(stack, "web", 1))
	proxy := enginetest.NewCutProxy(t)
	tm := startTUI(t, []string{"DOCKER_HOST=" + proxy.Host}, "-s", stack)
	tm.waitFor("web running, live", func(s string) bool { return rowHas(s, "web", "1/1") && strings.Contains(s, "live") })

	proxy.Cut()
	tm.waitText("disconnected since")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	svc, err := e.Client().ServiceInspect(ctx, id, client.ServiceInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	spec := svc.Service.Spec
	two := uint64(2)
	spec.Mode.Replicated.Replicas = &two
	if _, err := e.Client().ServiceUpdate(ctx, id, client.ServiceUpdateOptions{Version: svc.Service.Version, Spec: spec}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	s := tm.capture()
	if !strings.Contains(s, "disconnected since") {
		t.Fatalf("not shown as disconnected any more while cut:\n%s", s)
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, "disconnected since") {
			t.Logf("while cut: %s", strings.TrimSpace(line))
		}
	}

	restored := time.Now()
	proxy.Restore()
	deadline := restored.Add(2500 * time.Millisecond) // 2 s, and tmux's own polling
	for !(strings.Contains(tm.capture(), "● live") && rowHas(tm.capture(), "web", "/2")) {
		if time.Now().After(deadline) {
			t.Fatalf("not live with web at 2 replicas 2.5 s after the restore:\n%s", tm.capture())
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("live again %s after the restore", time.Since(restored).Round(100*time.Millisecond))
	tm.keys("q")
	tm.waitExited()
}
