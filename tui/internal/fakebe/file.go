package fakebe

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/swarmtop/swarmtop/stackfile"
	"github.com/swarmtop/swarmtop/swarm"
)

// ShopFile is a stack file for the shop fixture that differs from it: web
// is 3 replicas in the file (2 live), nginx has another image, flower is
// not deployed and the migrate job is the same.
const ShopFile = `services:
  celery-beat:
    image: registry.example.com/shop/web:1.4.2
  celery-worker:
    image: registry.example.com/shop/web:1.4.2
    deploy:
      replicas: 2
  migrate:
    image: registry.example.com/shop/web:1.4.2
    deploy:
      mode: replicated-job
  nginx:
    image: nginx:1.27.3-alpine
  flower:
    image: registry.example.com/shop/web:1.4.2
  web:
    image: registry.example.com/shop/web:1.4.2
    deploy:
      replicas: 3
`

// Diff compares the file with the snapshot on replicas and image, plus
// the OtherChanges configured per service.
func (b *Backend) Diff(_ context.Context, st *stackfile.Stack) (swarm.StackDiff, error) {
	b.mu.Lock()
	snap, other, err := b.Snapshot, b.OtherChanges, b.DiffErr
	b.DiffCalls++
	b.mu.Unlock()
	if err != nil {
		return swarm.StackDiff{}, err
	}
	d := swarm.StackDiff{Stack: st.Name}
	live := map[string]swarm.Service{}
	for _, s := range snap.Services {
		live[s.Name] = s
	}
	for _, f := range st.Services {
		l, ok := live[f.Name]
		delete(live, f.Name)
		if !ok {
			d.Services = append(d.Services, swarm.ServiceDiff{Service: f.Name, Status: swarm.DiffMissing})
			continue
		}
		sd := swarm.ServiceDiff{Service: f.Name, Status: swarm.DiffSame, Changes: fieldChanges(l, f)}
		sd.Changes = append(sd.Changes, other[f.Name]...)
		if len(sd.Changes) > 0 {
			sd.Status = swarm.DiffChanged
		}
		d.Services = append(d.Services, sd)
	}
	for name := range live {
		d.Services = append(d.Services, swarm.ServiceDiff{Service: name, Status: swarm.DiffExtra})
	}
	sort.Slice(d.Services, func(i, j int) bool { return d.Services[i].Service < d.Services[j].Service })
	return d, nil
}

func fieldChanges(l swarm.Service, f stackfile.Service) []swarm.FieldChange {
	var out []swarm.FieldChange
	if l.Image != f.Image {
		out = append(out, swarm.FieldChange{Field: "image", Live: l.Image, File: f.Image})
	}
	if f.Mode == stackfile.ModeReplicated && l.Replicas != nil {
		want := uint64(1)
		if f.Replicas != nil {
			want = *f.Replicas
		}
		if want != *l.Replicas {
			out = append(out, swarm.FieldChange{Field: "replicas", Live: strconv.FormatUint(*l.Replicas, 10), File: strconv.FormatUint(want, 10)})
		}
	}
	return out
}

// PlanDeploy plans from Diff: missing services are created, changed ones
// updated; a scaled service keeps its live count, with a note.
func (b *Backend) PlanDeploy(ctx context.Context, st *stackfile.Stack, _ swarm.DeployOptions) (*swarm.DeployPlan, error) {
	b.record("plan " + st.Name)
	d, err := b.Diff(ctx, st)
	if err != nil {
		return nil, err
	}
	res := swarm.DeployResult{Stack: st.Name, Diff: d}
	res.Objects = append(res.Objects, swarm.DeployObject{Kind: swarm.KindNetwork, Name: st.Name + "_default", Action: swarm.ObjectUnchanged})
	for _, s := range d.Services {
		obj := swarm.DeployObject{Kind: swarm.KindService, Name: s.Service, Action: swarm.ObjectUnchanged}
		switch s.Status {
		case swarm.DiffMissing:
			obj.Action = swarm.ObjectCreated
		case swarm.DiffChanged:
			obj.Action, obj.Detail = swarm.ObjectUpdated, changedFields(s.Changes)
			for _, c := range s.Changes {
				if c.Field == "replicas" {
					res.Notes = append(res.Notes, s.Service+": keeps its live replicas "+c.Live+" (the file says "+c.File+"; --reset-replicas applies it)")
				}
			}
		case swarm.DiffExtra:
			res.Notes = append(res.Notes, s.Service+": deployed but not in the file; left running (--prune removes it)")
			continue
		}
		res.Objects = append(res.Objects, obj)
	}
	return &swarm.DeployPlan{DeployResult: res}, nil
}

func changedFields(changes []swarm.FieldChange) string {
	names := make([]string, len(changes))
	for i, c := range changes {
		names[i] = c.Field
	}
	return strings.Join(names, ", ")
}

// ApplyDeploy records the deploy; with DeployErr set it fails on the
// first object it would write and reports the rest as not attempted.
func (b *Backend) ApplyDeploy(_ context.Context, plan *swarm.DeployPlan) (*swarm.DeployResult, error) {
	b.record("deploy " + plan.Stack)
	res := plan.DeployResult
	res.Objects = append([]swarm.DeployObject(nil), plan.Objects...)
	var failedObj *swarm.DeployObject
	for i := range res.Objects {
		o := &res.Objects[i]
		if o.Action == swarm.ObjectUnchanged {
			continue
		}
		switch {
		case failedObj != nil:
			o.Detail, o.Action = "not attempted (would have been "+string(o.Action)+")", swarm.ObjectSkipped
		case b.DeployErr != nil:
			o.Action, o.Detail, failedObj = swarm.ObjectFailed, b.DeployErr.Error(), o
		default:
			res.Changes = append(res.Changes, swarm.Change{Service: o.Name, Action: swarm.ActionDeploy, After: "new spec"})
		}
	}
	if failedObj != nil {
		return &res, &swarm.DeployError{Object: *failedObj, Err: b.DeployErr}
	}
	return &res, nil
}

// Release moves the services on oldTag (or the shop's 1.4.2) to newTag.
func (b *Backend) Release(_ context.Context, stack, newTag, oldTag string) ([]swarm.Change, []swarm.SkippedService, error) {
	b.record("release " + stack + " " + newTag + " " + oldTag)
	if oldTag == "" {
		oldTag = "1.4.2"
	}
	var changes []swarm.Change
	var skipped []swarm.SkippedService
	for _, s := range b.Snapshot.Services {
		if strings.HasSuffix(s.Image, ":"+oldTag) {
			after := strings.TrimSuffix(s.Image, oldTag) + newTag
			changes = append(changes, swarm.Change{Service: s.Name, Action: swarm.ActionRelease, Before: s.Image, After: after})
		} else {
			skipped = append(skipped, swarm.SkippedService{Service: s.Name, Image: s.Image, Reason: "other tag"})
		}
	}
	if len(changes) == 0 {
		return nil, skipped, errors.New("no service runs tag " + oldTag)
	}
	return changes, skipped, nil
}
