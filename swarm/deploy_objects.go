package swarm

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/stackfile"
)

// Secrets, configs and networks: created when missing; secrets and configs
// get label updates (the only update Swarm allows); networks are never
// updated, as with docker stack deploy.

func (p *DeployPlan) planSecrets(st *stackfile.Stack, live liveState) error {
	used := referencedKeys(st, func(s types.ServiceConfig) []string {
		keys := make([]string, len(s.Secrets))
		for i, r := range s.Secrets {
			keys[i] = r.Source
		}
		return keys
	})
	for _, key := range sortedKeys(st.Project.Secrets) {
		decl := st.Project.Secrets[key]
		if decl.External {
			if err := p.planExternal(KindSecret, decl.Name, used[key], p.secretIDs); err != nil {
				return err
			}
			continue
		}
		spec, err := secretSpec(st, key)
		if err != nil {
			return err
		}
		existing := findByName(live.secrets, func(s swarm.Secret) string { return s.Spec.Name }, spec.Name)
		if existing == nil {
			p.addStep(DeployObject{Kind: KindSecret, Name: spec.Name, Action: ObjectCreated}, createSecret(spec))
			continue
		}
		// Secret data never leaves the engine, so whether it changed shows
		// only when the update is tried: Swarm refuses a data change.
		action, detail := labelsAction(existing.Spec.Labels, spec.Labels)
		if p.DryRun {
			detail = joinDetail(detail, "data is checked when deploying (the engine never returns secret data)")
		}
		p.addStep(DeployObject{Kind: KindSecret, Name: spec.Name, Action: action, Detail: detail}, updateSecret(*existing, spec, action, detail))
	}
	return nil
}

func (p *DeployPlan) planConfigs(st *stackfile.Stack, live liveState) error {
	used := referencedKeys(st, func(s types.ServiceConfig) []string {
		keys := make([]string, len(s.Configs))
		for i, r := range s.Configs {
			keys[i] = r.Source
		}
		return keys
	})
	for _, key := range sortedKeys(st.Project.Configs) {
		decl := st.Project.Configs[key]
		if decl.External {
			if err := p.planExternal(KindConfig, decl.Name, used[key], p.configIDs); err != nil {
				return err
			}
			continue
		}
		spec, err := configSpec(st, key)
		if err != nil {
			return err
		}
		existing := findByName(live.configs, func(c swarm.Config) string { return c.Spec.Name }, spec.Name)
		switch {
		case existing == nil:
			p.addStep(DeployObject{Kind: KindConfig, Name: spec.Name, Action: ObjectCreated}, createConfig(spec))
		case !bytes.Equal(existing.Spec.Data, spec.Data) || !sameDriver(existing.Spec.Templating, spec.Templating):
			return &ImmutableDataError{Kind: KindConfig, Name: spec.Name}
		default:
			action, detail := labelsAction(existing.Spec.Labels, spec.Labels)
			if action == ObjectUnchanged {
				p.addObject(DeployObject{Kind: KindConfig, Name: spec.Name, Action: action})
				continue
			}
			p.addStep(DeployObject{Kind: KindConfig, Name: spec.Name, Action: action, Detail: detail}, updateConfig(*existing, spec))
		}
	}
	return nil
}

// planExternal lists an external secret or config, which must exist if a
// service uses it: the deploy never creates it.
func (p *DeployPlan) planExternal(kind, name string, used bool, ids map[string]string) error {
	if _, ok := ids[name]; !ok && used {
		return &MissingObjectError{Kind: kind, Name: name,
			Reason: fmt.Sprintf("is declared external but does not exist (create it with docker %s create)", kind)}
	}
	p.addObject(DeployObject{Kind: kind, Name: name, Action: ObjectUnchanged, Detail: "external"})
	return nil
}

func (p *DeployPlan) planNetworks(st *stackfile.Stack, live liveState) error {
	used := referencedKeys(st, serviceNetworkKeys)
	for _, key := range sortedKeys(used) {
		decl := st.Project.Networks[key] // the zero value for an undeclared default network
		name := networkName(st.Project, st.Name, key)
		found := findByName(live.networks, func(n network.Summary) string { return n.Name }, name)
		obj := DeployObject{Kind: KindNetwork, Name: name, Action: ObjectUnchanged}
		switch {
		case bool(decl.External):
			if err := checkExternalNetwork(name, found); err != nil {
				return err
			}
			obj.Detail = "external"
		case found != nil && found.Labels[NamespaceLabel] != st.Name:
			return &MissingObjectError{Kind: KindNetwork, Name: name, Reason: fmt.Sprintf(
				"already exists and does not belong to stack %s (no %s=%s label): remove it, or declare it external",
				st.Name, NamespaceLabel, st.Name)}
		case found != nil:
			obj.Detail = "exists (networks are never updated)"
		default:
			opts, err := networkCreateOptions(st, key, decl)
			if err != nil {
				return err
			}
			obj.Action = ObjectCreated
			p.addStep(obj, createNetwork(name, opts))
			continue
		}
		p.addObject(obj)
	}
	return nil
}

// checkExternalNetwork: an external network must exist and be swarm
// scoped, except the engine's built-in networks.
func checkExternalNetwork(name string, found *network.Summary) error {
	switch {
	case !userDefinedNetwork(name):
		return nil
	case found == nil:
		return &MissingObjectError{Kind: KindNetwork, Name: name, Reason: "is declared external but does not exist"}
	case found.Scope != "swarm":
		return &MissingObjectError{Kind: KindNetwork, Name: name, Reason: fmt.Sprintf(
			"is declared external but is %s-scoped; services can only join swarm-scoped networks", found.Scope)}
	}
	return nil
}

// referencedKeys is the set of keys some service of the stack uses.
func referencedKeys(st *stackfile.Stack, keysOf func(types.ServiceConfig) []string) map[string]bool {
	used := map[string]bool{}
	for _, svc := range st.Project.Services {
		for _, k := range keysOf(svc) {
			used[k] = true
		}
	}
	return used
}

func findByName[T any](items []T, name func(T) string, want string) *T {
	for i := range items {
		if name(items[i]) == want {
			return &items[i]
		}
	}
	return nil
}

// labelsAction says whether an object's labels change.
func labelsAction(live, file map[string]string) (ObjectAction, string) {
	if maps.Equal(nilIfEmpty(live), nilIfEmpty(file)) {
		return ObjectUnchanged, ""
	}
	return ObjectUpdated, "labels change"
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func sameDriver(a, b *swarm.Driver) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Name == b.Name && maps.Equal(a.Options, b.Options)
}

func createSecret(spec swarm.SecretSpec) func(context.Context, *deployRun) (ObjectAction, string, error) {
	return func(ctx context.Context, d *deployRun) (ObjectAction, string, error) {
		res, err := d.e.api.SecretCreate(ctx, client.SecretCreateOptions{Spec: spec})
		if err != nil {
			return "", "", err
		}
		d.secretIDs[spec.Name] = res.ID
		return ObjectCreated, "", nil
	}
}

// updateSecret writes the file's labels, and so checks the data: Swarm
// accepts the update only if the data is the same.
func updateSecret(existing swarm.Secret, spec swarm.SecretSpec, action ObjectAction, detail string) func(context.Context, *deployRun) (ObjectAction, string, error) {
	return func(ctx context.Context, d *deployRun) (ObjectAction, string, error) {
		_, err := d.e.api.SecretUpdate(ctx, existing.ID, client.SecretUpdateOptions{Version: existing.Meta.Version, Spec: spec})
		if err != nil && strings.Contains(err.Error(), "only updates to Labels are allowed") {
			return "", "", &ImmutableDataError{Kind: KindSecret, Name: spec.Name}
		}
		if err != nil {
			return "", "", err
		}
		return action, detail, nil
	}
}

func createConfig(spec swarm.ConfigSpec) func(context.Context, *deployRun) (ObjectAction, string, error) {
	return func(ctx context.Context, d *deployRun) (ObjectAction, string, error) {
		res, err := d.e.api.ConfigCreate(ctx, client.ConfigCreateOptions{Spec: spec})
		if err != nil {
			return "", "", err
		}
		d.configIDs[spec.Name] = res.ID
		return ObjectCreated, "", nil
	}
}

func updateConfig(existing swarm.Config, spec swarm.ConfigSpec) func(context.Context, *deployRun) (ObjectAction, string, error) {
	return func(ctx context.Context, d *deployRun) (ObjectAction, string, error) {
		_, err := d.e.api.ConfigUpdate(ctx, existing.ID, client.ConfigUpdateOptions{Version: existing.Meta.Version, Spec: spec})
		if err != nil {
			return "", "", err
		}
		return ObjectUpdated, "labels change", nil
	}
}

func createNetwork(name string, opts client.NetworkCreateOptions) func(context.Context, *deployRun) (ObjectAction, string, error) {
	return func(ctx context.Context, d *deployRun) (ObjectAction, string, error) {
		if _, err := d.e.api.NetworkCreate(ctx, name, opts); err != nil {
			return "", "", err
		}
		return ObjectCreated, "", nil
	}
}

// secretSpec is a top-level secret as docker stack deploy creates it.
// A driver-backed secret sends no data.
func secretSpec(st *stackfile.Stack, key string) (swarm.SecretSpec, error) {
	decl := st.Project.Secrets[key]
	spec := swarm.SecretSpec{Annotations: swarm.Annotations{
		Name:   cmp.Or(decl.Name, FullName(st.Name, key)),
		Labels: withNamespace(decl.Labels, st.Name),
	}}
	if decl.TemplateDriver != "" {
		spec.Templating = &swarm.Driver{Name: decl.TemplateDriver}
	}
	if decl.Driver != "" {
		spec.Driver = &swarm.Driver{Name: decl.Driver, Options: nonEmptyMap(decl.DriverOpts)}
		return spec, nil
	}
	data, err := objectData("secrets."+key, types.FileObjectConfig(decl), st.Project.Environment)
	spec.Data = data
	return spec, err
}

func configSpec(st *stackfile.Stack, key string) (swarm.ConfigSpec, error) {
	decl := st.Project.Configs[key]
	if decl.Driver != "" {
		return swarm.ConfigSpec{}, &ConvertError{Path: "configs." + key + ".driver", Reason: "Swarm configs take no driver (secrets do)"}
	}
	spec := swarm.ConfigSpec{Annotations: swarm.Annotations{
		Name:   cmp.Or(decl.Name, FullName(st.Name, key)),
		Labels: withNamespace(decl.Labels, st.Name),
	}}
	if decl.TemplateDriver != "" {
		spec.Templating = &swarm.Driver{Name: decl.TemplateDriver}
	}
	data, err := objectData("configs."+key, types.FileObjectConfig(decl), st.Project.Environment)
	spec.Data = data
	return spec, err
}

// objectData reads a secret's or config's content: file:, environment:
// or (configs) content:. Files are read here, on the client, as docker
// stack deploy does.
func objectData(path string, o types.FileObjectConfig, env types.Mapping) ([]byte, error) {
	switch {
	case o.File != "":
		data, err := os.ReadFile(o.File)
		if err != nil {
			return nil, &ConvertError{Path: path + ".file", Reason: "cannot read: " + err.Error()}
		}
		return data, nil
	case o.Environment != "":
		v, ok := env[o.Environment]
		if !ok {
			return nil, &ConvertError{Path: path + ".environment", Reason: fmt.Sprintf("variable %s is not set", o.Environment)}
		}
		return []byte(v), nil
	}
	return []byte(o.Content), nil
}

// networkCreateOptions is a stack network as docker stack deploy creates
// it: overlay unless the file names a driver, with the stack's label.
func networkCreateOptions(st *stackfile.Stack, key string, decl types.NetworkConfig) (client.NetworkCreateOptions, error) {
	opts := client.NetworkCreateOptions{
		Driver:     cmp.Or(decl.Driver, "overlay"),
		Labels:     withNamespace(decl.Labels, st.Name),
		Options:    nonEmptyMap(decl.DriverOpts),
		Internal:   decl.Internal,
		Attachable: decl.Attachable,
		EnableIPv6: decl.EnableIPv6,
	}
	if decl.EnableIPv4 != nil {
		return opts, &ConvertError{Path: "networks." + key + ".enable_ipv4", Reason: "not supported by swarmtop deploy (Swarm overlay networks always have IPv4)"}
	}
	ipam, err := ipamConfig("networks."+key+".ipam", decl.Ipam)
	opts.IPAM = ipam
	return opts, err
}

func ipamConfig(path string, in types.IPAMConfig) (*network.IPAM, error) {
	if in.Driver == "" && len(in.Config) == 0 && len(in.Options) == 0 {
		return nil, nil
	}
	ipam := &network.IPAM{Driver: in.Driver, Options: nonEmptyMap(in.Options)}
	for _, pool := range in.Config {
		var cfg network.IPAMConfig
		var err error
		bad := func(field, value string) error {
			return &ConvertError{Path: path + ".config", Reason: fmt.Sprintf("invalid %s %q", field, value)}
		}
		if pool.Subnet != "" {
			if cfg.Subnet, err = netip.ParsePrefix(pool.Subnet); err != nil {
				return nil, bad("subnet", pool.Subnet)
			}
		}
		if pool.IPRange != "" {
			if cfg.IPRange, err = netip.ParsePrefix(pool.IPRange); err != nil {
				return nil, bad("ip_range", pool.IPRange)
			}
		}
		if pool.Gateway != "" {
			if cfg.Gateway, err = netip.ParseAddr(pool.Gateway); err != nil {
				return nil, bad("gateway", pool.Gateway)
			}
		}
		for name, addr := range pool.AuxiliaryAddresses {
			a, err := netip.ParseAddr(addr)
			if err != nil {
				return nil, bad("aux_addresses", addr)
			}
			if cfg.AuxAddress == nil {
				cfg.AuxAddress = map[string]netip.Addr{}
			}
			cfg.AuxAddress[name] = a
		}
		ipam.Config = append(ipam.Config, cfg)
	}
	return ipam, nil
}
