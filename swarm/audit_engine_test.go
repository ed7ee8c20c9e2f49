package swarm_test

import (
	"sync"
	"testing"

	sw "github.com/swarmtop/swarmtop/swarm"
)

// TestDeployIsAudited deploys the small stack with an audit hook: every
// object written has its line, and each service a verdict line after.
func TestDeployIsAudited(t *testing.T) {
	e, stack, ctx := depSetup(t)
	var mu sync.Mutex
	var events []sw.AuditEvent
	e.SetAudit(func(ev sw.AuditEvent) { mu.Lock(); events = append(events, ev); mu.Unlock() })
	defer e.SetAudit(nil)

	st := depLoad(t, stack, nil, depWriteStack(t, t.TempDir()))
	res := depDeploy(ctx, t, e, st, sw.DeployOptions{})
	depConverge(ctx, t, e, res.Changes) // Converge writes the verdict lines

	mu.Lock()
	defer mu.Unlock()
	byObject := map[string][]sw.AuditEvent{}
	for _, ev := range events {
		if ev.Stack == stack {
			byObject[ev.Object] = append(byObject[ev.Object], ev)
		}
	}
	for _, obj := range []string{"secret " + stack + "_app_secret", "config " + stack + "_app_config", "network " + stack + "_backend"} {
		if evs := byObject[obj]; len(evs) != 1 || evs[0].Action != "deploy created" || evs[0].Verdict != sw.VerdictApplied {
			t.Errorf("%s: %+v, want one applied deploy created", obj, evs)
		}
	}
	for _, svc := range []string{"migrate", "web", "worker"} {
		evs := byObject[svc]
		if len(evs) != 2 || evs[0].Verdict != sw.VerdictApplied || evs[1].Ref != evs[0].ID || evs[1].Verdict != "converged" {
			t.Errorf("%s: %+v, want applied then converged referring to it", svc, evs)
		}
	}
}
