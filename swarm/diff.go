package swarm

import (
	"cmp"
	"context"
	"slices"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/stackfile"
)

// DiffStatus is how a service in the file compares with the live one.
type DiffStatus string

const (
	DiffSame    DiffStatus = "same"
	DiffChanged DiffStatus = "changed"
	DiffMissing DiffStatus = "missing" // in the file, not deployed
	DiffExtra   DiffStatus = "extra"   // deployed, not in the file
)

// FieldChange is one field that differs, as text for people: Field is a
// compose-style name (image, replicas, env.DEBUG, update_config, …).
// Values are shown whole, secrets in env included: masking is the UI's job.
type FieldChange struct {
	Field string
	Live  string
	File  string
}

// ServiceDiff is one service's comparison.
type ServiceDiff struct {
	Service string // short name: web
	Status  DiffStatus
	Changes []FieldChange // for DiffChanged, in a fixed field order
}

// StackDiff compares a stack file with the deployed stack, per service.
type StackDiff struct {
	Stack    string
	Services []ServiceDiff // sorted by service name
}

// Same reports whether the file and the deployed stack agree.
func (d StackDiff) Same() bool {
	for _, s := range d.Services {
		if s.Status != DiffSame {
			return false
		}
	}
	return true
}

// Service returns one service's comparison.
func (d StackDiff) Service(name string) (ServiceDiff, bool) {
	for _, s := range d.Services {
		if s.Service == name {
			return s, true
		}
	}
	return ServiceDiff{}, false
}

// Drift is a service's difference from the file in brief: the two fields
// operators care about most, and how many others differ.
type Drift struct {
	Service  string
	Missing  bool         // in the file, not deployed
	Extra    bool         // deployed, not in the file
	Replicas *FieldChange // live vs file count, when they differ
	Image    *FieldChange // when they differ (a pinned digest is no difference)
	Others   []string     // the other fields that differ, named as in the diff
}

// Drifted reports any difference.
func (d Drift) Drifted() bool {
	return d.Missing || d.Extra || d.Replicas != nil || d.Image != nil || len(d.Others) > 0
}

// Drift summarises the comparison per service; services that are the same
// are left out.
func (d StackDiff) Drift() []Drift {
	var out []Drift
	for _, s := range d.Services {
		dr := Drift{Service: s.Service, Missing: s.Status == DiffMissing, Extra: s.Status == DiffExtra}
		for _, c := range s.Changes {
			switch c.Field {
			case fieldReplicas:
				dr.Replicas = &c
			case fieldImage:
				dr.Image = &c
			default:
				dr.Others = append(dr.Others, c.Field)
			}
		}
		if dr.Drifted() {
			out = append(out, dr)
		}
	}
	return out
}

// DiffSpecs compares the specs converted from a stack file (ConvertStack)
// with the stack's live services, read without engine defaults.
// networkNames maps network IDs to names: the engine stores the networks a
// service joins by ID. It reads nothing from the engine, so it can be
// tested with made-up services.
func DiffSpecs(stack string, file []swarm.ServiceSpec, live []swarm.Service, networkNames map[string]string) StackDiff {
	d := StackDiff{Stack: stack}
	liveByName := map[string]swarm.Service{}
	for _, s := range live {
		liveByName[s.Spec.Name] = s
	}
	inFile := map[string]bool{}
	for _, spec := range file {
		inFile[spec.Name] = true
		sd := ServiceDiff{Service: ShortName(stack, spec.Name), Status: DiffMissing}
		if l, ok := liveByName[spec.Name]; ok {
			sd.Changes = specChanges(alignWithLive(spec, l.Spec), l.Spec, networkNames)
			sd.Status = DiffSame
			if len(sd.Changes) > 0 {
				sd.Status = DiffChanged
			}
		}
		d.Services = append(d.Services, sd)
	}
	for _, l := range live {
		if !inFile[l.Spec.Name] {
			d.Services = append(d.Services, ServiceDiff{Service: ShortName(stack, l.Spec.Name), Status: DiffExtra})
		}
	}
	slices.SortFunc(d.Services, func(a, b ServiceDiff) int { return cmp.Compare(a.Service, b.Service) })
	return d
}

// Diff compares the stack file with what the engine runs: the live specs
// as stored (no defaults inserted), against the file converted for this
// engine's API version.
func (e *Engine) Diff(ctx context.Context, st *stackfile.Stack) (StackDiff, error) {
	file, err := ConvertStack(st, ConvertOptions{APIVersion: e.APIVersion})
	if err != nil {
		return StackDiff{}, err
	}
	live, err := e.StackServices(ctx, st.Name)
	if err != nil {
		return StackDiff{}, err
	}
	names, err := e.networkNames(ctx)
	if err != nil {
		return StackDiff{}, err
	}
	return DiffSpecs(st.Name, file, live, names), nil
}

// networkNames maps every network's ID to its name.
func (e *Engine) networkNames(ctx context.Context) (map[string]string, error) {
	res, err := e.api.NetworkList(ctx, client.NetworkListOptions{})
	if err != nil {
		return nil, err
	}
	return networkNamesOf(res.Items), nil
}

// networkNamesOf maps the networks' IDs to their names.
func networkNamesOf(nets []network.Summary) map[string]string {
	names := make(map[string]string, len(nets))
	for _, n := range nets {
		names[n.ID] = n.Name
	}
	return names
}
