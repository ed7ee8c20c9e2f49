package swarm

import "github.com/swarmtop/swarmtop/internal/audit"

// AuditEvent is one change written to the engine, or the verdict on one.
// Every write goes through updateService or ApplyDeploy, which report here
// whatever the caller (CLI, TUI), so no change can skip the audit log.
type AuditEvent struct {
	ID      string // unique per event
	Ref     string // for a verdict: the ID of the change it is about
	Stack   string
	Object  string // a service's short name, or "network shop_backend"
	Action  string // scale, restart, image, release, rollback, deploy created, …
	Before  string
	After   string
	Verdict string // "applied", the write's error, or the converge verdict
	Message string // the verdict's message, when it has one
}

// VerdictApplied is the Verdict of a change the engine accepted: the audit
// log's own word for it, which its readers (the activity view) look for.
const VerdictApplied = audit.Applied

// changeKey identifies one written change: its service and the version the
// write produced (a service changed twice has two keys).
type changeKey struct {
	serviceID string
	version   uint64
}

// madeChange is what a verdict line repeats from its change's line.
type madeChange struct {
	id, stack, action string
}

// SetAudit makes the engine call record for every change it writes and for
// every verdict Converge reaches (or AuditDetached reports). record must not block long:
// it runs on the acting goroutine.
func (e *Engine) SetAudit(record func(AuditEvent)) {
	e.guard.mu.Lock()
	defer e.guard.mu.Unlock()
	e.guard.audit = record
}

func (e *Engine) auditor() func(AuditEvent) {
	e.guard.mu.Lock()
	defer e.guard.mu.Unlock()
	return e.guard.audit
}

// auditWrite reports a service write: applied (change then carries the
// new version, so its verdict can refer back), or failed with err.
func (e *Engine) auditWrite(stack string, change Change, err error) {
	e.auditChange(AuditEvent{Stack: stack, Object: change.Service, Action: change.Action,
		Before: change.Before, After: change.After}, change, err)
}

// auditChange fills in ev's ID and verdict, records it and, when the write
// went through, remembers change for its verdict line.
func (e *Engine) auditChange(ev AuditEvent, change Change, err error) {
	record := e.auditor()
	if record == nil {
		return
	}
	ev.ID, ev.Verdict = audit.NewID(), VerdictApplied
	if err != nil {
		ev.Verdict = err.Error()
	}
	record(ev)
	if err == nil && change.ServiceID != "" {
		e.rememberChange(change, madeChange{id: ev.ID, stack: ev.Stack, action: ev.Action})
	}
}

// auditStep reports one deploy step. The services it wrote are changes
// whose verdict follows (a job's already came: it failed when err is set);
// networks, secrets, configs and removals are reported as they are; a step
// that wrote nothing is not reported.
func (e *Engine) auditStep(res *DeployResult, planned DeployObject, written int, action ObjectAction, detail string, err error) {
	for _, c := range res.Changes[written:] {
		ev := AuditEvent{Stack: res.Stack, Object: c.Service, Action: ActionDeploy + " " + string(action),
			Before: c.Before, After: c.After, Message: detail}
		e.auditChange(ev, c, nil)
		if err != nil {
			e.auditVerdict(c, Failed.String(), err.Error())
		}
	}
	switch {
	case len(res.Changes) > written, err == nil && action == ObjectUnchanged:
		return
	case err != nil:
		action = planned.Action
	}
	obj := DeployObject{Kind: planned.Kind, Name: planned.Name, Action: action, Detail: detail}
	e.auditChange(AuditEvent{Stack: res.Stack, Object: obj.Kind + " " + obj.Name,
		Action: ActionDeploy + " " + string(obj.Action), After: obj.Detail}, Change{}, err)
}

func (e *Engine) rememberChange(c Change, m madeChange) {
	e.guard.mu.Lock()
	defer e.guard.mu.Unlock()
	if e.guard.made == nil {
		e.guard.made = map[changeKey]madeChange{}
	}
	e.guard.made[changeKey{c.ServiceID, c.Version}] = m
}

// takeChange returns and forgets the audit record of a change, so each
// change gets one verdict line.
func (e *Engine) takeChange(c Change) (madeChange, bool) {
	e.guard.mu.Lock()
	defer e.guard.mu.Unlock()
	k := changeKey{c.ServiceID, c.Version}
	m, ok := e.guard.made[k]
	delete(e.guard.made, k)
	return m, ok
}

// AuditVerdicts records how each change ended, a line each referring to
// the change's own line. Converge returns one verdict per change, in order.
// Changes this engine did not write (or wrote nothing for) are skipped.
func (e *Engine) AuditVerdicts(changes []Change, verdicts []Verdict) {
	for i, c := range changes {
		if i < len(verdicts) {
			e.auditVerdict(c, verdicts[i].Kind.String(), verdicts[i].Message)
		}
	}
}

// AuditDetached records that nobody waits for these changes' verdicts
// (--detach).
func (e *Engine) AuditDetached(changes []Change) {
	for _, c := range changes {
		e.auditVerdict(c, Detached.String(), "not waited for (--detach)")
	}
}

func (e *Engine) auditVerdict(c Change, verdict, message string) {
	record := e.auditor()
	if record == nil {
		return
	}
	m, ok := e.takeChange(c)
	if !ok {
		return
	}
	record(AuditEvent{ID: audit.NewID(), Ref: m.id, Stack: m.stack, Object: c.Service, Action: m.action,
		Before: c.Before, After: c.After, Verdict: verdict, Message: message})
}
