package swarm

import (
	"cmp"
	"encoding/json"
	"path"
	"slices"
	"time"

	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/swarm"
)

// Swarmkit's defaults for what a spec leaves unset (its api/defaults), so
// that "unset" and "set to the default" compare equal.
const (
	defaultStopGrace    = 10 * time.Second
	defaultRestartDelay = 5 * time.Second
)

// alignWithLive is the file's spec as it applies to an existing service:
// what the file leaves to the cluster takes the live value. ForceUpdate is
// the restart counter (resetting it would restart every task); an unset
// replica count keeps the live count; and a live image that is the file's
// image pinned to a digest stays pinned, with the platforms the pin came
// with (swarmtop never asks a registry, so it could only unpin it).
func alignWithLive(file, live swarm.ServiceSpec) swarm.ServiceSpec {
	spec := cloneSpec(file)
	spec.TaskTemplate.ForceUpdate = live.TaskTemplate.ForceUpdate
	if r := spec.Mode.Replicated; r != nil && r.Replicas == nil && live.Mode.Replicated != nil {
		r.Replicas = clonePtr(live.Mode.Replicated.Replicas)
	}
	if pinnedFileImage(file, live) {
		keepLiveImage(&spec, live)
	}
	return spec
}

// pinnedFileImage reports a live image that is the file's image (which
// has no digest itself) plus a digest: "web:42" runs as "web:42@sha256:…".
func pinnedFileImage(file, live swarm.ServiceSpec) bool {
	fileImage, liveImage := specImageOf(file), specImageOf(live)
	if imageDigest(fileImage) != "" || imageDigest(liveImage) == "" {
		return false
	}
	return withoutDigest(liveImage) == specImage(fileImage)
}

// keepLiveImage copies the live image and the platforms pinned with it.
func keepLiveImage(spec *swarm.ServiceSpec, live swarm.ServiceSpec) {
	spec.TaskTemplate.ContainerSpec.Image = specImageOf(live)
	if lp := live.TaskTemplate.Placement; lp != nil && len(lp.Platforms) > 0 {
		if spec.TaskTemplate.Placement == nil {
			spec.TaskTemplate.Placement = &swarm.Placement{}
		}
		spec.TaskTemplate.Placement.Platforms = slices.Clone(lp.Platforms)
	}
}

func specImageOf(spec swarm.ServiceSpec) string {
	if cs := spec.TaskTemplate.ContainerSpec; cs != nil {
		return cs.Image
	}
	return ""
}

// imageDigest is the digest of an image reference, "" when it has none.
func imageDigest(image string) string {
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return ""
	}
	if d, ok := named.(reference.Digested); ok {
		return d.Digest().String()
	}
	return ""
}

// withoutDigest drops a digest from a tagged reference, in specImage form:
// "web:42@sha256:…" → "web:42". A reference with a digest and no tag is
// returned as it is: without its digest it would name another image.
func withoutDigest(image string) string {
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return image
	}
	tagged, ok := named.(reference.NamedTagged)
	if !ok {
		return reference.FamiliarString(named)
	}
	retagged, err := reference.WithTag(reference.TrimNamed(named), tagged.Tag())
	if err != nil {
		return image
	}
	return reference.FamiliarString(retagged)
}

// cloneSpec deep-copies a spec through JSON, the form the engine sees.
func cloneSpec(spec swarm.ServiceSpec) swarm.ServiceSpec {
	b, err := json.Marshal(spec)
	if err != nil {
		panic("swarm: a service spec does not marshal: " + err.Error())
	}
	var out swarm.ServiceSpec
	if err := json.Unmarshal(b, &out); err != nil {
		panic("swarm: a service spec does not unmarshal: " + err.Error())
	}
	return out
}

// specJSON is a spec's canonical text; equal texts mean equal specs (map
// keys are sorted by encoding/json, empty slices dropped by omitempty).
func specJSON(spec swarm.ServiceSpec) string {
	b, _ := json.Marshal(spec)
	return string(b)
}

// canonicalSpec rewrites a spec so that specs that mean the same compare
// equal: engine defaults filled in, lists sorted, network IDs turned into
// names, object IDs and ForceUpdate cleared. It is for comparing only;
// never send it.
func canonicalSpec(in swarm.ServiceSpec, networkNames map[string]string) swarm.ServiceSpec {
	s := cloneSpec(in)
	s.Labels = nilIfEmpty(s.Labels)
	canonicalMode(&s.Mode)
	s.UpdateConfig = canonicalUpdateConfig(s.UpdateConfig)
	s.RollbackConfig = canonicalUpdateConfig(s.RollbackConfig)
	s.EndpointSpec = canonicalEndpoint(s.EndpointSpec)
	canonicalTask(&s.TaskTemplate, networkNames)
	return s
}

func canonicalMode(m *swarm.ServiceMode) {
	one := uint64(1)
	switch {
	case m.Replicated != nil && m.Replicated.Replicas == nil:
		m.Replicated.Replicas = &one
	case m.ReplicatedJob != nil:
		j := m.ReplicatedJob
		if j.MaxConcurrent == nil {
			j.MaxConcurrent = &one
		}
		if j.TotalCompletions == nil {
			j.TotalCompletions = clonePtr(j.MaxConcurrent)
		}
	}
}

func canonicalUpdateConfig(in *swarm.UpdateConfig) *swarm.UpdateConfig {
	u := swarm.UpdateConfig{Parallelism: 1}
	if in != nil {
		u = *in
	}
	u.FailureAction = cmp.Or(u.FailureAction, swarm.UpdateFailureActionPause)
	u.Monitor = cmp.Or(u.Monitor, defaultMonitorWindow)
	u.Order = cmp.Or(u.Order, swarm.UpdateOrderStopFirst)
	return &u
}

func canonicalEndpoint(in *swarm.EndpointSpec) *swarm.EndpointSpec {
	e := swarm.EndpointSpec{}
	if in != nil {
		e = *in
	}
	e.Mode = cmp.Or(e.Mode, swarm.ResolutionModeVIP)
	for i := range e.Ports {
		p := &e.Ports[i]
		p.Protocol = cmp.Or(p.Protocol, "tcp")
		p.PublishMode = cmp.Or(p.PublishMode, swarm.PortConfigPublishModeIngress)
	}
	slices.SortFunc(e.Ports, swarm.PortConfig.Compare)
	return &e
}

func canonicalTask(t *swarm.TaskSpec, networkNames map[string]string) {
	t.ForceUpdate = 0
	if t.Runtime == swarm.RuntimeContainer {
		t.Runtime = ""
	}
	if t.ContainerSpec == nil && t.PluginSpec == nil {
		t.ContainerSpec = &swarm.ContainerSpec{}
	}
	if t.ContainerSpec != nil {
		canonicalContainer(t.ContainerSpec)
	}
	t.Resources = canonicalResources(t.Resources)
	t.RestartPolicy = canonicalRestart(t.RestartPolicy)
	t.Placement = canonicalPlacement(t.Placement)
	for i := range t.Networks {
		n := &t.Networks[i]
		if name, ok := networkNames[n.Target]; ok {
			n.Target = name
		}
		slices.Sort(n.Aliases)
		n.DriverOpts = nilIfEmpty(n.DriverOpts)
	}
	slices.SortFunc(t.Networks, func(a, b swarm.NetworkAttachmentConfig) int { return cmp.Compare(a.Target, b.Target) })
	if d := t.LogDriver; d != nil && d.Name == "" && len(d.Options) == 0 {
		t.LogDriver = nil
	}
}

func canonicalContainer(cs *swarm.ContainerSpec) {
	cs.Image = specImage(cs.Image)
	cs.Labels = nilIfEmpty(cs.Labels)
	cs.Sysctls = nilIfEmpty(cs.Sysctls)
	slices.Sort(cs.Env)
	slices.Sort(cs.Hosts)
	slices.Sort(cs.Groups)
	slices.Sort(cs.CapabilityAdd)
	slices.Sort(cs.CapabilityDrop)
	slices.SortFunc(cs.Ulimits, func(a, b *container.Ulimit) int { return cmp.Compare(a.Name, b.Name) })
	if cs.StopGracePeriod == nil {
		d := defaultStopGrace
		cs.StopGracePeriod = &d
	}
	if cs.Isolation == container.IsolationDefault {
		cs.Isolation = ""
	}
	if h := cs.Healthcheck; h != nil && len(h.Test) == 0 && h.Interval == 0 && h.Timeout == 0 &&
		h.StartPeriod == 0 && h.StartInterval == 0 && h.Retries == 0 {
		cs.Healthcheck = nil
	}
	if d := cs.DNSConfig; d != nil && len(d.Nameservers)+len(d.Search)+len(d.Options) == 0 {
		cs.DNSConfig = nil
	}
	cs.Privileges = canonicalPrivileges(cs.Privileges)
	canonicalMounts(cs.Mounts)
	canonicalSecretRefs(cs.Secrets)
	canonicalConfigRefs(cs.Configs)
}

func canonicalPrivileges(p *swarm.Privileges) *swarm.Privileges {
	if p == nil {
		return nil
	}
	if c := p.CredentialSpec; c != nil && *c == (swarm.CredentialSpec{}) {
		p.CredentialSpec = nil
	}
	if s := p.SELinuxContext; s != nil && *s == (swarm.SELinuxContext{}) {
		p.SELinuxContext = nil
	}
	if p.CredentialSpec == nil && p.SELinuxContext == nil && p.Seccomp == nil && p.AppArmor == nil && !p.NoNewPrivileges {
		return nil
	}
	return p
}

func canonicalMounts(mounts []mount.Mount) {
	for i := range mounts {
		m := &mounts[i]
		if m.Consistency == mount.ConsistencyDefault {
			m.Consistency = ""
		}
		if b := m.BindOptions; b != nil && *b == (mount.BindOptions{}) {
			m.BindOptions = nil
		}
		if v := m.VolumeOptions; v != nil {
			v.Labels = nilIfEmpty(v.Labels)
			if !v.NoCopy && v.Subpath == "" && v.Labels == nil && v.DriverConfig == nil {
				m.VolumeOptions = nil
			}
		}
		if t := m.TmpfsOptions; t != nil && t.SizeBytes == 0 && t.Mode == 0 && len(t.Options) == 0 {
			m.TmpfsOptions = nil
		}
	}
	slices.SortFunc(mounts, func(a, b mount.Mount) int { return cmp.Compare(a.Target, b.Target) })
}

// canonicalSecretRefs drops IDs (looked up anew on each deploy) and spells
// targets out in full: "key" and "/run/secrets/key" are the same file.
func canonicalSecretRefs(refs []*swarm.SecretReference) {
	for _, r := range refs {
		r.SecretID = ""
		if r.File != nil && !path.IsAbs(r.File.Name) {
			r.File.Name = path.Join(secretsDir, r.File.Name)
		}
	}
	slices.SortFunc(refs, func(a, b *swarm.SecretReference) int {
		return cmp.Or(cmp.Compare(a.SecretName, b.SecretName), cmp.Compare(refFileName(a.File), refFileName(b.File)))
	})
}

func canonicalConfigRefs(refs []*swarm.ConfigReference) {
	for _, r := range refs {
		r.ConfigID = ""
		if r.File != nil && !path.IsAbs(r.File.Name) {
			r.File.Name = "/" + r.File.Name
		}
	}
	slices.SortFunc(refs, func(a, b *swarm.ConfigReference) int {
		var fa, fb string
		if a.File != nil {
			fa = a.File.Name
		}
		if b.File != nil {
			fb = b.File.Name
		}
		return cmp.Or(cmp.Compare(a.ConfigName, b.ConfigName), cmp.Compare(fa, fb))
	})
}

func refFileName(f *swarm.SecretReferenceFileTarget) string {
	if f == nil {
		return ""
	}
	return f.Name
}

func canonicalResources(r *swarm.ResourceRequirements) *swarm.ResourceRequirements {
	if r == nil {
		return nil
	}
	if l := r.Limits; l != nil && *l == (swarm.Limit{}) {
		r.Limits = nil
	}
	if s := r.Reservations; s != nil && s.NanoCPUs == 0 && s.MemoryBytes == 0 && len(s.GenericResources) == 0 {
		r.Reservations = nil
	}
	if r.Limits == nil && r.Reservations == nil && r.SwapBytes == nil && r.MemorySwappiness == nil {
		return nil
	}
	return r
}

func canonicalRestart(in *swarm.RestartPolicy) *swarm.RestartPolicy {
	r := swarm.RestartPolicy{}
	if in != nil {
		r = *in
	}
	r.Condition = cmp.Or(r.Condition, swarm.RestartPolicyConditionAny)
	if r.Delay == nil {
		d := defaultRestartDelay
		r.Delay = &d
	}
	if r.MaxAttempts == nil {
		r.MaxAttempts = new(uint64)
	}
	if r.Window == nil {
		r.Window = new(time.Duration)
	}
	return &r
}

// canonicalPlacement drops Platforms: they come with a pinned digest
// (docker stack deploy fills them from the registry), not from the file.
func canonicalPlacement(p *swarm.Placement) *swarm.Placement {
	if p == nil {
		return nil
	}
	p.Platforms = nil
	slices.Sort(p.Constraints)
	if len(p.Constraints) == 0 && len(p.Preferences) == 0 && p.MaxReplicas == 0 {
		return nil
	}
	return p
}

func nilIfEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}
