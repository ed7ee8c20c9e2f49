package swarm

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/stackfile"
)

// stepFunc writes one object; see deployStep.
type stepFunc = func(ctx context.Context, d *deployRun) (ObjectAction, string, error)

// planServices plans jobs first, then the services that left the file,
// then the other services, each group in name order.
func (e *Engine) planServices(ctx context.Context, plan *DeployPlan, st *stackfile.Stack, specs []swarm.ServiceSpec, live liveState) error {
	liveByName := map[string]swarm.Service{}
	for _, s := range live.services {
		liveByName[s.Spec.Name] = s
	}
	var jobs, others []swarm.ServiceSpec
	for _, spec := range specs {
		if l, ok := liveByName[spec.Name]; ok && changeMode(l.Spec.Mode) != changeMode(spec.Mode) {
			return &ModeChangeError{Service: ShortName(st.Name, spec.Name), Live: changeMode(l.Spec.Mode), File: changeMode(spec.Mode), FullName: spec.Name}
		}
		if isJobMode(spec.Mode) {
			jobs = append(jobs, spec)
		} else {
			others = append(others, spec)
		}
	}
	for _, spec := range jobs {
		if err := e.planJob(ctx, plan, spec, liveByName); err != nil {
			return err
		}
	}
	// Removals go before the other services: a service renamed in the
	// file must let go of its published ports before its successor is
	// created. They still wait for the jobs, so a failed job changes
	// nothing else.
	plan.planLeftovers(st, specs, live.services)
	for _, spec := range others {
		plan.planService(spec, liveByName)
	}
	return nil
}

func isJobMode(m swarm.ServiceMode) bool { return m.ReplicatedJob != nil || m.GlobalJob != nil }

// planService plans one non-job service: create, update or leave alone.
func (p *DeployPlan) planService(file swarm.ServiceSpec, liveByName map[string]swarm.Service) {
	name := ShortName(p.Stack, file.Name)
	obj := DeployObject{Kind: KindService, Name: name}
	live, exists := liveByName[file.Name]
	if !exists {
		obj.Action = ObjectCreated
		p.addStep(obj, p.createService(file, false))
		return
	}
	spec, notes := p.desiredSpec(file, live)
	p.Notes = append(p.Notes, notes...)
	changes := specChanges(spec, live.Spec, p.networkNames)
	if len(changes) == 0 {
		obj.Action = ObjectUnchanged
		p.addObject(obj)
		return
	}
	obj.Action, obj.Detail = ObjectUpdated, changedFieldsText(changes)
	p.addStep(obj, p.updateService(file, live, notes, false))
}

// planLeftovers removes, with Prune, the stack's services not in the file;
// without it they are listed and left alone.
func (p *DeployPlan) planLeftovers(st *stackfile.Stack, specs []swarm.ServiceSpec, live []swarm.Service) {
	inFile := map[string]bool{}
	for _, s := range specs {
		inFile[s.Name] = true
	}
	for _, l := range live {
		if inFile[l.Spec.Name] {
			continue
		}
		name := ShortName(st.Name, l.Spec.Name)
		if !p.opts.Prune {
			p.addObject(DeployObject{Kind: KindService, Name: name, Action: ObjectUnchanged, Detail: "not in the file (--prune removes it)"})
			p.note("%s: deployed but not in the file; left running (--prune removes it)", name)
			continue
		}
		id := l.ID
		p.addStep(DeployObject{Kind: KindService, Name: name, Action: ObjectRemoved, Detail: "not in the file"},
			func(ctx context.Context, d *deployRun) (ObjectAction, string, error) {
				_, err := d.e.api.ServiceRemove(ctx, id, client.ServiceRemoveOptions{})
				return ObjectRemoved, "not in the file", err
			})
	}
}

// desiredSpec is the spec a deploy sends to an existing service: the
// file's, aligned with the live service, keeping a deployed pinned image
// and a live replica count unless told otherwise. The notes say what was
// kept.
func (p *DeployPlan) desiredSpec(file swarm.ServiceSpec, live swarm.Service) (swarm.ServiceSpec, []string) {
	name := ShortName(p.Stack, file.Name)
	spec := alignWithLive(file, live.Spec)
	var notes []string
	if !pinnedFileImage(file, live.Spec) && keepDeployedImage(file, live.Spec) {
		keepLiveImage(&spec, live.Spec)
		notes = append(notes, fmt.Sprintf("%s: kept the image it runs, %s (the file's %s is the image last deployed)",
			name, withoutDigest(specImageOf(live.Spec)), file.Labels[ImageLabel]))
	}
	if p.opts.ResetReplicas {
		return spec, notes
	}
	if fileCount, liveCount, kept := keepLiveReplicas(&spec, live.Spec); kept {
		notes = append(notes, fmt.Sprintf("%s: kept %d replicas (file says %d); use --reset-replicas", name, liveCount, fileCount))
	}
	return spec, notes
}

// keepDeployedImage is docker stack deploy's --resolve-image changed rule:
// a live image pinned to a digest is kept while the file's image is the
// one the stack's image label says was deployed.
func keepDeployedImage(file, live swarm.ServiceSpec) bool {
	label := live.Labels[ImageLabel]
	return imageDigest(specImageOf(live)) != "" && imageDigest(specImageOf(file)) == "" &&
		label != "" && label == file.Labels[ImageLabel]
}

// keepLiveReplicas sets the live replica count into spec where it differs
// from the file's (someone scaled during an incident, and a redeploy must
// not quietly undo it).
func keepLiveReplicas(spec *swarm.ServiceSpec, live swarm.ServiceSpec) (fileCount, liveCount uint64, kept bool) {
	f, l := spec.Mode.Replicated, live.Mode.Replicated
	if f == nil || l == nil {
		return 0, 0, false
	}
	fileCount, liveCount = countOrOne(f.Replicas), countOrOne(l.Replicas)
	if fileCount == liveCount {
		return fileCount, liveCount, false
	}
	f.Replicas = clonePtr(l.Replicas)
	return fileCount, liveCount, true
}

// countOrOne reads a replica count; unset is the engine's default, 1.
func countOrOne(n *uint64) uint64 {
	if n == nil {
		return 1
	}
	return *n
}

// changedFieldsText names the changed fields: "image, env.DEBUG".
func changedFieldsText(changes []FieldChange) string {
	names := make([]string, len(changes))
	for i, c := range changes {
		names[i] = c.Field
	}
	return strings.Join(names, ", ")
}

// createService creates a service; with follow (jobs) it waits for it too.
func (p *DeployPlan) createService(file swarm.ServiceSpec, follow bool) stepFunc {
	return func(ctx context.Context, d *deployRun) (ObjectAction, string, error) {
		spec, err := d.withObjectIDs(file)
		if err != nil {
			return "", "", err
		}
		res, err := d.e.api.ServiceCreate(ctx, client.ServiceCreateOptions{Spec: spec})
		if err != nil {
			return "", "", err
		}
		d.warn(spec.Name, res.Warnings)
		change, err := d.changeAfterWrite(ctx, res.ID, nil, spec)
		if err != nil {
			return "", "", err
		}
		return d.recordChange(ctx, change, ObjectCreated, "", follow)
	}
}

// updateService writes the desired spec with the version read at planning;
// if someone wrote the service since, it reads it again and re-plans, so
// their change is not lost. planned are the notes the plan reported for the
// service; rerun bumps ForceUpdate to run a job again.
func (p *DeployPlan) updateService(file swarm.ServiceSpec, live swarm.Service, planned []string, rerun bool) stepFunc {
	return func(ctx context.Context, d *deployRun) (ObjectAction, string, error) {
		for attempt := 1; ; attempt++ {
			spec, notes := p.desiredSpec(file, live)
			changes := specChanges(spec, live.Spec, p.networkNames)
			if len(changes) == 0 && !rerun {
				d.replaceNotes(planned, notes)
				return ObjectUnchanged, "already as the file says", nil
			}
			if rerun {
				spec.TaskTemplate.ForceUpdate++
			}
			change, err := d.writeUpdate(ctx, live, spec, attempt)
			if outOfSequence(err) && attempt < maxUpdateAttempts {
				if live, err = d.e.inspectService(ctx, live.ID); err != nil {
					return "", "", err
				}
				continue
			}
			if err != nil {
				return "", "", err
			}
			d.replaceNotes(planned, notes)
			detail := changedFieldsText(changes)
			if rerun {
				detail = "re-run: its last run failed"
			}
			return d.recordChange(ctx, change, ObjectUpdated, detail, isJobMode(spec.Mode))
		}
	}
}

// replaceNotes swaps a service's planned notes for those of the plan its
// write went out with: after a retry that is a re-plan from a newer read
// (someone scaled in between), and the report must say what was kept then.
func (d *deployRun) replaceNotes(planned, final []string) {
	if slices.Equal(planned, final) {
		return
	}
	d.res.Notes = slices.DeleteFunc(d.res.Notes, func(n string) bool { return slices.Contains(planned, n) })
	d.res.Notes = append(d.res.Notes, final...)
}

func (d *deployRun) writeUpdate(ctx context.Context, live swarm.Service, desired swarm.ServiceSpec, attempt int) (Change, error) {
	spec, err := d.withObjectIDs(desired)
	if err != nil {
		return Change{}, err
	}
	if hook := beforeUpdateHook.Load(); hook != nil {
		(*hook)(live.ID, attempt)
	}
	res, err := d.e.api.ServiceUpdate(ctx, live.ID, client.ServiceUpdateOptions{Version: live.Meta.Version, Spec: spec})
	if err != nil {
		return Change{}, err
	}
	d.warn(spec.Name, res.Warnings)
	return d.changeAfterWrite(ctx, live.ID, &live.Spec, spec)
}

// recordChange adds a written service to the result's changes and, for a
// job, waits until it completed.
func (d *deployRun) recordChange(ctx context.Context, change Change, action ObjectAction, detail string, follow bool) (ObjectAction, string, error) {
	d.res.Changes = append(d.res.Changes, change)
	if !follow {
		return action, detail, nil
	}
	if err := d.followJob(ctx, change); err != nil {
		return "", "", fmt.Errorf("%s, then %w", action, err)
	}
	return action, joinDetail(detail, "job completed"), nil
}

// changeAfterWrite describes a write for Converge; the version after the
// write is only known from a fresh read.
func (d *deployRun) changeAfterWrite(ctx context.Context, id string, before *swarm.ServiceSpec, spec swarm.ServiceSpec) (Change, error) {
	after, err := d.e.inspectService(ctx, id)
	if err != nil {
		return Change{}, err
	}
	c := Change{
		ServiceID: id,
		Service:   ShortName(d.plan.Stack, spec.Name),
		Action:    ActionDeploy,
		After:     summaryText(spec),
		Version:   after.Meta.Version.Index,
		Mode:      changeMode(spec.Mode),
	}
	if before != nil {
		c.Before = summaryText(*before)
		if c.Before == c.After {
			c.After += " (other fields changed)"
		}
	}
	return c, nil
}

// withObjectIDs fills in the IDs of the secrets and configs a spec names.
func (d *deployRun) withObjectIDs(in swarm.ServiceSpec) (swarm.ServiceSpec, error) {
	spec := cloneSpec(in)
	cs := spec.TaskTemplate.ContainerSpec
	if cs == nil {
		return spec, nil
	}
	for _, r := range cs.Secrets {
		id, ok := d.secretIDs[r.SecretName]
		if !ok {
			return spec, fmt.Errorf("secret %s does not exist", r.SecretName)
		}
		r.SecretID = id
	}
	for _, r := range cs.Configs {
		id, ok := d.configIDs[r.ConfigName]
		if !ok {
			return spec, fmt.Errorf("config %s does not exist", r.ConfigName)
		}
		r.ConfigID = id
	}
	return spec, nil
}

func (d *deployRun) warn(service string, warnings []string) {
	for _, w := range warnings {
		d.res.Warnings = append(d.res.Warnings, ShortName(d.plan.Stack, service)+": "+strings.Join(strings.Fields(w), " "))
	}
}

// planJob plans a job service. A job runs again on every update, so an
// unchanged job is written only if its last run failed; one still running
// is waited for, so the services after it see it completed.
func (e *Engine) planJob(ctx context.Context, plan *DeployPlan, file swarm.ServiceSpec, liveByName map[string]swarm.Service) error {
	obj := DeployObject{Kind: KindService, Name: ShortName(plan.Stack, file.Name)}
	live, exists := liveByName[file.Name]
	if !exists {
		obj.Action = ObjectCreated
		plan.addStep(obj, plan.createService(file, true))
		return nil
	}
	spec, notes := plan.desiredSpec(file, live)
	plan.Notes = append(plan.Notes, notes...)
	if changes := specChanges(spec, live.Spec, plan.networkNames); len(changes) > 0 {
		obj.Action, obj.Detail = ObjectUpdated, changedFieldsText(changes)+" (the job runs again)"
		plan.addStep(obj, plan.updateService(file, live, notes, false))
		return nil
	}
	kind, msg, err := e.jobOutcome(ctx, live)
	if err != nil {
		return fmt.Errorf("read job %s: %w", obj.Name, err)
	}
	switch kind {
	case Converged:
		obj.Action, obj.Detail = ObjectUnchanged, "its last run completed"
		plan.addObject(obj)
	case Failed:
		obj.Action, obj.Detail = ObjectUpdated, "re-run: its last run failed: "+msg
		plan.addStep(obj, plan.updateService(file, live, notes, true))
	default:
		obj.Action, obj.Detail = ObjectUnchanged, "still running; the deploy waits for it"
		change := Change{ServiceID: live.ID, Service: obj.Name, Action: ActionDeploy, Version: live.Meta.Version.Index, Mode: changeMode(live.Spec.Mode)}
		plan.addStep(obj, func(ctx context.Context, d *deployRun) (ObjectAction, string, error) {
			if err := d.followJob(ctx, change); err != nil {
				return "", "", err
			}
			return ObjectUnchanged, "its run completed", nil
		})
	}
	return nil
}

// jobOutcome reads how a job's current run stands: Converged (completed),
// Failed (its restart policy gave up), or 0 while it runs.
func (e *Engine) jobOutcome(ctx context.Context, svc swarm.Service) (VerdictKind, string, error) {
	obs, err := e.observe(ctx, svc.ID, e.liveNodes)
	if err != nil {
		return 0, "", err
	}
	w := newChangeWatcher(Change{ServiceID: svc.ID, Version: obs.service.Meta.Version.Index, Mode: changeMode(svc.Spec.Mode)})
	_, v, _ := w.step(obs, time.Now())
	if v == nil {
		return 0, w.last.Message, nil
	}
	return v.Kind, v.Message, nil
}

// followJob waits for a job to complete; the rest of the stack waits on it.
func (d *deployRun) followJob(ctx context.Context, change Change) error {
	opts := d.plan.opts
	v := d.e.Converge(ctx, []Change{change}, ConvergeOptions{Timeout: opts.JobTimeout}, opts.Progress)[0]
	d.res.Jobs = append(d.res.Jobs, v)
	if !v.OK() {
		return &JobFailedError{Verdict: v}
	}
	return nil
}
