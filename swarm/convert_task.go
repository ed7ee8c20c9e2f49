package swarm

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/swarm"
)

func (c *converter) taskSpec() (swarm.TaskSpec, error) {
	cs, err := c.containerSpec()
	if err != nil {
		return swarm.TaskSpec{}, err
	}
	resources, err := c.resources()
	if err != nil {
		return swarm.TaskSpec{}, err
	}
	restart, err := c.restartPolicy()
	if err != nil {
		return swarm.TaskSpec{}, err
	}
	placement, err := c.placement()
	if err != nil {
		return swarm.TaskSpec{}, err
	}
	return swarm.TaskSpec{
		ContainerSpec: cs,
		Resources:     resources,
		RestartPolicy: restart,
		Placement:     placement,
		Networks:      c.networks(),
		LogDriver:     c.logDriver(),
	}, nil
}

func (c *converter) containerSpec() (*swarm.ContainerSpec, error) {
	svc := c.svc
	cs := &swarm.ContainerSpec{
		Image:           specImage(svc.Image),
		Labels:          withNamespace(c.model.ContainerLabels, c.stack),
		Command:         c.model.Entrypoint, // the name swap is the API's: entrypoint → Command
		Args:            c.model.Command,    // command → Args
		Hostname:        svc.Hostname,
		Env:             envList(c.model.Environment),
		Dir:             svc.WorkingDir,
		User:            svc.User,
		Groups:          svc.GroupAdd,
		Init:            svc.Init,
		StopSignal:      svc.StopSignal,
		TTY:             svc.Tty,
		OpenStdin:       svc.StdinOpen,
		ReadOnly:        svc.ReadOnly,
		StopGracePeriod: c.model.StopGracePeriod,
		Hosts:           hostsList(svc.ExtraHosts),
		Isolation:       container.Isolation(svc.Isolation),
	}
	steps := []func(*swarm.ContainerSpec) error{
		c.healthcheck, c.dnsConfig, c.kernelOptions, c.privileges, c.mounts, c.secretRefs, c.configRefs,
	}
	for _, step := range steps {
		if err := step(cs); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// envList is the environment as K=V entries, sorted so an unchanged file
// gives an identical spec; a variable without a value is passed bare.
func envList(env map[string]*string) []string {
	var out []string
	for _, k := range sortedKeys(env) {
		if v := env[k]; v != nil {
			out = append(out, k+"="+*v)
		} else {
			out = append(out, k)
		}
	}
	return out
}

// hostsList writes extra_hosts in hosts-file order, "IP host", sorted by host.
func hostsList(hosts types.HostsList) []string {
	var out []string
	for _, host := range sortedKeys(hosts) {
		for _, ip := range hosts[host] {
			out = append(out, ip+" "+host)
		}
	}
	return out
}

// minHealthDuration is swarmkit's lower bound for healthcheck durations.
const minHealthDuration = time.Millisecond

func (c *converter) healthcheck(cs *swarm.ContainerSpec) error {
	hc := c.svc.HealthCheck
	if hc == nil {
		return nil
	}
	if hc.Disable {
		// stackfile has already refused disable together with a test.
		cs.Healthcheck = &container.HealthConfig{Test: []string{"NONE"}}
		return nil
	}
	h := &container.HealthConfig{Test: hc.Test}
	durations := []struct {
		field string
		in    *types.Duration
		out   *time.Duration
	}{
		{"interval", hc.Interval, &h.Interval},
		{"timeout", hc.Timeout, &h.Timeout},
		{"start_period", hc.StartPeriod, &h.StartPeriod},
		{"start_interval", hc.StartInterval, &h.StartInterval},
	}
	for _, d := range durations {
		if d.in == nil {
			continue
		}
		if *d.in != 0 && time.Duration(*d.in) < minHealthDuration {
			return c.fail("healthcheck."+d.field, "must be at least 1ms (Swarm refuses shorter)")
		}
		*d.out = time.Duration(*d.in)
	}
	if hc.StartInterval != nil {
		if err := c.needs("healthcheck.start_interval", "1.44"); err != nil {
			return err
		}
	}
	if hc.Retries != nil {
		h.Retries = int(*hc.Retries)
	}
	cs.Healthcheck = h
	return nil
}

// dnsConfig is set only when the file sets one of dns, dns_search or
// dns_opt. docker/cli silently drops a dns entry that is not an IP address;
// here it is refused.
func (c *converter) dnsConfig(cs *swarm.ContainerSpec) error {
	svc := c.svc
	if len(svc.DNS) == 0 && len(svc.DNSSearch) == 0 && len(svc.DNSOpts) == 0 {
		return nil
	}
	cfg := &swarm.DNSConfig{Search: svc.DNSSearch, Options: svc.DNSOpts}
	for _, s := range svc.DNS {
		ip, err := netip.ParseAddr(s)
		if err != nil {
			return c.fail("dns", "%q is not an IP address (Swarm takes name servers by address)", s)
		}
		cfg.Nameservers = append(cfg.Nameservers, ip)
	}
	cs.DNSConfig = cfg
	return nil
}

// kernelOptions are sysctls, capabilities, ulimits and oom_score_adj, each
// gated on the API version that first carried it.
func (c *converter) kernelOptions(cs *swarm.ContainerSpec) error {
	svc := c.svc
	gates := []struct {
		set     bool
		field   string
		version string
	}{
		{len(svc.Sysctls) > 0, "sysctls", "1.40"},
		{len(svc.CapAdd) > 0, "cap_add", "1.41"},
		{len(svc.CapDrop) > 0, "cap_drop", "1.41"},
		{len(svc.Ulimits) > 0, "ulimits", "1.41"},
		{svc.OomScoreAdj != 0, "oom_score_adj", "1.46"},
	}
	for _, g := range gates {
		if !g.set {
			continue
		}
		if err := c.needs(g.field, g.version); err != nil {
			return err
		}
	}
	if len(svc.Sysctls) > 0 {
		cs.Sysctls = map[string]string(svc.Sysctls)
	}
	cs.CapabilityAdd, cs.CapabilityDrop = effectiveCaps(svc.CapAdd, svc.CapDrop)
	cs.Ulimits = ulimitList(svc.Ulimits)
	cs.OomScoreAdj = svc.OomScoreAdj
	return nil
}

// effectiveCaps normalises capabilities as docker/cli does: upper case with
// the CAP_ prefix, ALL trumps the rest of its list, an add wins over a drop
// of the same capability, RESET is dropped; both lists sorted.
func effectiveCaps(add, drop []string) (outAdd, outDrop []string) {
	norm := func(caps []string) map[string]bool {
		set := map[string]bool{}
		for _, c := range caps {
			c = strings.ToUpper(strings.TrimSpace(c))
			switch {
			case c == "" || c == "RESET":
				continue
			case c != "ALL" && !strings.HasPrefix(c, "CAP_"):
				c = "CAP_" + c
			}
			set[c] = true
		}
		if set["ALL"] {
			return map[string]bool{"ALL": true}
		}
		return set
	}
	adds, drops := norm(add), norm(drop)
	for c := range adds {
		delete(drops, c)
	}
	return sortedKeys(adds), sortedKeys(drops)
}

// ulimitList sorts ulimits by name; the single form sets soft and hard.
func ulimitList(in map[string]*types.UlimitsConfig) []*container.Ulimit {
	var out []*container.Ulimit
	for _, name := range sortedKeys(in) {
		u := in[name]
		if u == nil {
			continue
		}
		soft, hard := int64(u.Soft), int64(u.Hard)
		if u.Single != 0 {
			soft, hard = int64(u.Single), int64(u.Single)
		}
		out = append(out, &container.Ulimit{Name: name, Soft: soft, Hard: hard})
	}
	return out
}

// privileges carries credential_spec. A credential spec read from a config
// (Windows gMSA) would need the config's ID wired into two places; it is
// refused rather than half supported.
func (c *converter) privileges(cs *swarm.ContainerSpec) error {
	spec := c.svc.CredentialSpec
	if spec == nil {
		return nil
	}
	if spec.Config != "" {
		return c.fail("credential_spec.config", "not supported by swarmtop deploy; use file: or registry:")
	}
	if spec.File != "" && spec.Registry != "" {
		return c.fail("credential_spec", "set only one of file and registry")
	}
	cs.Privileges = &swarm.Privileges{CredentialSpec: &swarm.CredentialSpec{File: spec.File, Registry: spec.Registry}}
	return nil
}

// resources uses stackfile's exact cpus (0.1 → 100000000, not the
// 100000001 that float32 multiplication gives).
func (c *converter) resources() (*swarm.ResourceRequirements, error) {
	lim, res := c.model.Resources.Limits, c.model.Resources.Reservations
	out := &swarm.ResourceRequirements{}
	if lim != nil && (lim.NanoCPUs != 0 || lim.MemoryBytes != 0 || lim.Pids != 0) {
		if lim.Pids != 0 {
			if err := c.needs("deploy.resources.limits.pids", "1.41"); err != nil {
				return nil, err
			}
		}
		out.Limits = &swarm.Limit{NanoCPUs: lim.NanoCPUs, MemoryBytes: lim.MemoryBytes, Pids: lim.Pids}
	}
	generic := c.genericResources()
	if res != nil && (res.NanoCPUs != 0 || res.MemoryBytes != 0) || len(generic) > 0 {
		out.Reservations = &swarm.Resources{GenericResources: generic}
		if res != nil {
			out.Reservations.NanoCPUs, out.Reservations.MemoryBytes = res.NanoCPUs, res.MemoryBytes
		}
	}
	if out.Limits == nil && out.Reservations == nil {
		return nil, nil
	}
	return out, nil
}

func (c *converter) genericResources() []swarm.GenericResource {
	d := c.svc.Deploy
	if d == nil || d.Resources.Reservations == nil {
		return nil
	}
	var out []swarm.GenericResource
	for _, g := range d.Resources.Reservations.GenericResources {
		if g.DiscreteResourceSpec != nil {
			out = append(out, swarm.GenericResource{DiscreteResourceSpec: &swarm.DiscreteGenericResource{
				Kind: g.DiscreteResourceSpec.Kind, Value: g.DiscreteResourceSpec.Value,
			}})
		}
	}
	return out
}

// restartPolicy is deploy.restart_policy, else the service-level restart:
// as a fallback, as docker stack deploy uses it.
func (c *converter) restartPolicy() (*swarm.RestartPolicy, error) {
	if c.svc.Deploy == nil || c.svc.Deploy.RestartPolicy == nil {
		return c.restartFallback()
	}
	rp := c.svc.Deploy.RestartPolicy
	switch swarm.RestartPolicyCondition(rp.Condition) {
	case "", swarm.RestartPolicyConditionNone, swarm.RestartPolicyConditionOnFailure, swarm.RestartPolicyConditionAny:
	default:
		return nil, c.fail("deploy.restart_policy.condition", "unknown condition %q (use none, on-failure or any)", rp.Condition)
	}
	return &swarm.RestartPolicy{
		Condition:   swarm.RestartPolicyCondition(rp.Condition),
		Delay:       durationPtr(rp.Delay),
		MaxAttempts: clonePtr(rp.MaxAttempts),
		Window:      durationPtr(rp.Window),
	}, nil
}

// restartFallback maps restart: no → engine default, always and
// unless-stopped → any, on-failure[:N] → on-failure with N attempts.
func (c *converter) restartFallback() (*swarm.RestartPolicy, error) {
	policy, arg, hasArg := strings.Cut(c.svc.Restart, ":")
	switch {
	case policy == "" || policy == types.RestartPolicyNo:
		return nil, nil
	case policy == types.RestartPolicyAlways || policy == types.RestartPolicyUnlessStopped:
		return &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionAny}, nil
	case policy != types.RestartPolicyOnFailure:
		return nil, c.fail("restart", "unknown restart policy %q (use no, always, unless-stopped or on-failure[:N])", c.svc.Restart)
	}
	rp := &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionOnFailure}
	if hasArg {
		n, err := strconv.ParseUint(arg, 10, 64)
		if err != nil {
			return nil, c.fail("restart", "%q: the attempts after on-failure: must be a whole number", c.svc.Restart)
		}
		if n > 0 {
			rp.MaxAttempts = &n
		}
	}
	return rp, nil
}

func durationPtr(d *types.Duration) *time.Duration {
	if d == nil {
		return nil
	}
	v := time.Duration(*d)
	return &v
}

func (c *converter) placement() (*swarm.Placement, error) {
	p := c.model.Placement
	if len(p.Constraints) == 0 && len(p.Preferences) == 0 && p.MaxReplicas == 0 {
		return nil, nil
	}
	if p.MaxReplicas != 0 {
		if err := c.needs("deploy.placement.max_replicas_per_node", "1.40"); err != nil {
			return nil, err
		}
	}
	out := &swarm.Placement{Constraints: p.Constraints, MaxReplicas: p.MaxReplicas}
	for _, pref := range c.svc.Deploy.Placement.Preferences { // file order: Swarm applies them in turn
		out.Preferences = append(out.Preferences, swarm.PlacementPreference{Spread: &swarm.SpreadOver{SpreadDescriptor: pref.Spread}})
	}
	return out, nil
}

// networks attaches the service to its networks, sorted by target. A
// service with no networks is on the stack's default network (docker stack
// deploy does that even with network_mode set, which Swarm ignores). On
// user-defined networks the service key is an alias, so `web` resolves
// from every service of the stack.
func (c *converter) networks() []swarm.NetworkAttachmentConfig {
	var out []swarm.NetworkAttachmentConfig
	for _, key := range serviceNetworkKeys(c.svc) {
		att := swarm.NetworkAttachmentConfig{Target: networkName(c.project, c.stack, key)}
		cfg := c.svc.Networks[key]
		if cfg != nil {
			att.Aliases = slices.Clone(cfg.Aliases)
			if len(cfg.DriverOpts) > 0 {
				att.DriverOpts = map[string]string(cfg.DriverOpts)
			}
		}
		if userDefinedNetwork(att.Target) && cfg.ServiceNameAliasEnabled() {
			att.Aliases = append(att.Aliases, c.svc.Name)
		}
		out = append(out, att)
	}
	slices.SortFunc(out, func(a, b swarm.NetworkAttachmentConfig) int { return cmp.Compare(a.Target, b.Target) })
	return out
}

// defaultNetworkKey is the network a service without networks: joins.
const defaultNetworkKey = "default"

// serviceNetworkKeys are the keys of the networks a service joins, sorted.
func serviceNetworkKeys(svc types.ServiceConfig) []string {
	if len(svc.Networks) == 0 {
		return []string{defaultNetworkKey}
	}
	return sortedKeys(svc.Networks)
}

// networkName is the engine's name for a network key: compose-go's
// normalised name (<stack>_<key>, name:, or the external name).
func networkName(p *types.Project, stack, key string) string {
	if n, ok := p.Networks[key]; ok && n.Name != "" {
		return n.Name
	}
	return FullName(stack, key)
}

// userDefinedNetwork is false for the engine's built-in networks, which
// take no aliases.
func userDefinedNetwork(name string) bool {
	switch name {
	case "default", "bridge", "host", "none":
		return false
	}
	return !strings.HasPrefix(name, "container:")
}

// logDriver is logging:, or the legacy log_driver/log_opt; nil keeps the
// cluster default.
func (c *converter) logDriver() *swarm.Driver {
	switch {
	case c.svc.Logging != nil:
		return &swarm.Driver{Name: c.svc.Logging.Driver, Options: nonEmptyMap(c.svc.Logging.Options)}
	case c.svc.LogDriver != "":
		return &swarm.Driver{Name: c.svc.LogDriver, Options: nonEmptyMap(c.svc.LogOpt)}
	}
	return nil
}

func nonEmptyMap[M ~map[string]string](m M) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return map[string]string(m)
}
