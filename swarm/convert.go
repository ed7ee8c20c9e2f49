package swarm

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client/pkg/versions"

	"github.com/swarmtop/swarmtop/stackfile"
)

// The converter turns a loaded stack file into the ServiceSpecs `docker
// stack deploy` would send (stack-deploy.md §2), with two aims beyond
// fidelity: an unchanged file converts to an identical spec (every list
// sorted, no map order leaks), and a feature the engine's API version
// would silently drop is refused instead.

// ConvertOptions tunes the conversion of a stack file into service specs.
type ConvertOptions struct {
	// APIVersion is the negotiated engine API version (Engine.APIVersion).
	// Features that need a newer API are refused. "" converts for the
	// newest API.
	APIVersion string
}

// ConvertError is a stack file feature swarmtop cannot deploy as written.
// Nothing was sent to the engine; the file must change.
type ConvertError struct {
	Path   string // where in the file: services.web.deploy.mode
	Reason string
}

func (e *ConvertError) Error() string { return e.Path + ": " + e.Reason }

// ExitCode marks the file as bad input.
func (e *ConvertError) ExitCode() int { return 2 }

// ConvertStack converts every service of the stack, sorted by service name.
// Secret and config references carry names only: the engine's IDs are
// looked up at deploy time.
func ConvertStack(st *stackfile.Stack, opts ConvertOptions) ([]swarm.ServiceSpec, error) {
	specs := make([]swarm.ServiceSpec, 0, len(st.Services))
	for _, svc := range st.Services {
		spec, err := ConvertService(st, svc.Name, opts)
		if err != nil {
			return nil, err
		}
		specs = append(specs, spec)
	}
	return specs, nil
}

// ConvertService converts one service, named by its key in the file.
func ConvertService(st *stackfile.Stack, key string, opts ConvertOptions) (swarm.ServiceSpec, error) {
	model, ok := st.Service(key)
	svc, inProject := st.Project.Services[key]
	if !ok || !inProject {
		return swarm.ServiceSpec{}, &ConvertError{Path: "services." + key, Reason: "no such service in the stack file"}
	}
	c := &converter{stack: st.Name, project: st.Project, svc: svc, model: model, api: opts.APIVersion}
	return c.serviceSpec()
}

// converter holds what converting one service needs.
type converter struct {
	stack   string
	project *types.Project
	svc     types.ServiceConfig // as compose-go loaded it
	model   stackfile.Service   // stackfile's validated view: exact cpus, sorted ports
	api     string              // negotiated API version, "" for the newest
}

// fail reports a problem at a path below the service.
func (c *converter) fail(field, format string, args ...any) error {
	return &ConvertError{Path: "services." + c.svc.Name + "." + field, Reason: fmt.Sprintf(format, args...)}
}

// needs refuses a feature the negotiated API version cannot carry: the
// daemon decodes specs leniently, so an older API would drop it without a
// word (stack-deploy.md §4.9).
func (c *converter) needs(field, version string) error {
	if c.api == "" || !versions.LessThan(c.api, version) {
		return nil
	}
	return c.fail(field, "needs engine API %s or newer, but this engine speaks %s and would silently ignore it;"+
		" remove it from the file or upgrade the engine", version, c.api)
}

func (c *converter) serviceSpec() (swarm.ServiceSpec, error) {
	mode, err := c.mode()
	if err != nil {
		return swarm.ServiceSpec{}, err
	}
	endpoint, err := c.endpointSpec()
	if err != nil {
		return swarm.ServiceSpec{}, err
	}
	task, err := c.taskSpec()
	if err != nil {
		return swarm.ServiceSpec{}, err
	}
	return swarm.ServiceSpec{
		Annotations: swarm.Annotations{
			Name:   FullName(c.stack, c.svc.Name),
			Labels: c.serviceLabels(),
		},
		TaskTemplate:   task,
		Mode:           mode,
		UpdateConfig:   updateConfigSpec(c.model.UpdateConfig),
		RollbackConfig: updateConfigSpec(c.model.RollbackConfig),
		EndpointSpec:   endpoint,
	}, nil
}

// serviceLabels are deploy.labels plus the two labels stack tools find
// services by; the image label keeps the image exactly as the file wrote it.
func (c *converter) serviceLabels() map[string]string {
	labels := maps.Clone(c.model.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[NamespaceLabel] = c.stack
	labels[ImageLabel] = c.svc.Image
	return labels
}

// withNamespace copies labels and adds the stack's namespace label.
func withNamespace(labels map[string]string, stack string) map[string]string {
	out := maps.Clone(labels)
	if out == nil {
		out = map[string]string{}
	}
	out[NamespaceLabel] = stack
	return out
}

func (c *converter) mode() (swarm.ServiceMode, error) {
	replicas := clonePtr(c.model.Replicas)
	switch c.model.Mode {
	case stackfile.ModeGlobal:
		return swarm.ServiceMode{Global: &swarm.GlobalService{}}, nil
	case stackfile.ModeReplicatedJob:
		if err := c.needs("deploy.mode", "1.41"); err != nil {
			return swarm.ServiceMode{}, err
		}
		// A nil count lets the engine pick one completion at a time.
		return swarm.ServiceMode{ReplicatedJob: &swarm.ReplicatedJob{
			MaxConcurrent: replicas, TotalCompletions: clonePtr(replicas),
		}}, nil
	case stackfile.ModeGlobalJob:
		if err := c.needs("deploy.mode", "1.41"); err != nil {
			return swarm.ServiceMode{}, err
		}
		return swarm.ServiceMode{GlobalJob: &swarm.GlobalJob{}}, nil
	default:
		return swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: replicas}}, nil
	}
}

// updateConfigSpec converts update_config or rollback_config. An unset
// parallelism is 1, as docker stack deploy sends it (0 would mean all at
// once).
func updateConfigSpec(u *stackfile.UpdateConfig) *swarm.UpdateConfig {
	if u == nil {
		return nil
	}
	parallelism := uint64(1)
	if u.Parallelism != nil {
		parallelism = *u.Parallelism
	}
	return &swarm.UpdateConfig{
		Parallelism:     parallelism,
		Delay:           u.Delay,
		FailureAction:   swarm.FailureAction(u.FailureAction),
		Monitor:         u.Monitor,
		MaxFailureRatio: u.MaxFailureRatio,
		Order:           swarm.UpdateOrder(u.Order),
	}
}

// endpointSpec is always sent, even empty, as docker stack deploy does:
// leaving it out would keep ports a previous spec published.
func (c *converter) endpointSpec() (*swarm.EndpointSpec, error) {
	var mode string
	if c.svc.Deploy != nil {
		mode = strings.ToLower(c.svc.Deploy.EndpointMode)
	}
	if mode != "" && mode != string(swarm.ResolutionModeVIP) && mode != string(swarm.ResolutionModeDNSRR) {
		return nil, c.fail("deploy.endpoint_mode", "unknown endpoint mode %q (use vip or dnsrr)", mode)
	}
	spec := &swarm.EndpointSpec{Mode: swarm.ResolutionMode(mode)}
	for _, p := range c.model.Ports { // already sorted and validated by stackfile
		if mode == string(swarm.ResolutionModeDNSRR) && p.Mode == string(swarm.PortConfigPublishModeIngress) {
			return nil, c.fail("ports", "port %d is published in ingress mode, which dnsrr endpoint mode cannot use (publish it with mode: host)", p.Target)
		}
		spec.Ports = append(spec.Ports, swarm.PortConfig{
			Protocol:      network.IPProtocol(p.Protocol),
			TargetPort:    p.Target,
			PublishedPort: p.Published,
			PublishMode:   swarm.PortConfigPublishMode(p.Mode),
		})
	}
	return spec, nil
}

// specImage is the image as the client library sends it: familiar form,
// with ":latest" added to an untagged name. Converting to that form here
// makes a converted spec equal to the stored one.
func specImage(image string) string {
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return image
	}
	return reference.FamiliarString(reference.TagNameOnly(named))
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// sortedKeys is the keys of a map in order.
func sortedKeys[M ~map[string]V, V any](m M) []string {
	return slices.Sorted(maps.Keys(m))
}
