package stackfile

import (
	"cmp"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v4"
)

// buildStack checks the loaded project and converts it into the model.
func (ss sources) buildStack(p *types.Project) (*Stack, error) {
	if err := ss.checkProject(p); err != nil {
		return nil, err
	}
	st := &Stack{Name: p.Name, Project: p}
	for _, name := range p.ServiceNames() {
		svc, err := ss.convertService(p.Services[name])
		if err != nil {
			return nil, err
		}
		st.Services = append(st.Services, svc)
	}
	for _, key := range slices.Sorted(maps.Keys(p.Networks)) {
		n := p.Networks[key]
		st.Networks = append(st.Networks, Network{Name: key, FullName: n.Name, Driver: n.Driver, External: bool(n.External)})
	}
	for _, key := range slices.Sorted(maps.Keys(p.Secrets)) {
		s := p.Secrets[key]
		st.Secrets = append(st.Secrets, Secret{Name: key, FullName: s.Name, File: s.File, External: bool(s.External), Driver: s.Driver})
	}
	for _, key := range slices.Sorted(maps.Keys(p.Configs)) {
		c := p.Configs[key]
		st.Configs = append(st.Configs, Config{Name: key, FullName: c.Name, File: c.File, External: bool(c.External)})
	}
	for _, key := range slices.Sorted(maps.Keys(p.Volumes)) {
		v := p.Volumes[key]
		st.Volumes = append(st.Volumes, Volume{Name: key, FullName: v.Name, Driver: v.Driver, External: bool(v.External)})
	}
	return st, nil
}

func (ss sources) convertService(s types.ServiceConfig) (Service, error) {
	path := "services." + s.Name
	svc := Service{
		Name:            s.Name,
		Image:           s.Image,
		Mode:            ModeReplicated,
		ContainerLabels: copyMap(s.Labels),
		Command:         s.Command,
		Entrypoint:      s.Entrypoint,
		Environment:     maps.Clone(map[string]*string(s.Environment)),
	}
	if s.StopGracePeriod != nil {
		d := time.Duration(*s.StopGracePeriod)
		svc.StopGracePeriod = &d
	}
	if len(s.Networks) > 0 {
		svc.Networks = slices.Sorted(maps.Keys(s.Networks))
	}
	for _, r := range s.Secrets {
		svc.Secrets = append(svc.Secrets, r.Source)
	}
	slices.Sort(svc.Secrets)
	for _, r := range s.Configs {
		svc.Configs = append(svc.Configs, r.Source)
	}
	slices.Sort(svc.Configs)
	svc.Healthcheck = convertHealthcheck(s.HealthCheck)

	ports, err := ss.convertPorts(path, s.Ports)
	if err != nil {
		return Service{}, err
	}
	svc.Ports = ports
	if s.Deploy != nil {
		if err := ss.convertDeploy(path+".deploy", s.Deploy, &svc); err != nil {
			return Service{}, err
		}
	}
	return svc, nil
}

// convertDeploy fills the deploy fields and validates them the way docker
// stack deploy and the engine do.
func (ss sources) convertDeploy(path string, d *types.DeployConfig, svc *Service) error {
	if d.Mode != "" {
		svc.Mode = d.Mode
	}
	switch svc.Mode {
	case ModeReplicated, ModeGlobal, ModeReplicatedJob, ModeGlobalJob:
	default:
		return ss.errAtPath(path+".mode", false, fmt.Sprintf(
			"unknown mode %q (use replicated, global, replicated-job or global-job)", d.Mode), nil)
	}
	if d.Replicas != nil {
		if *d.Replicas < 0 {
			return ss.errAtPath(path+".replicas", false, fmt.Sprintf("must be 0 or more, got %d", *d.Replicas), nil)
		}
		if svc.Mode == ModeGlobal || svc.Mode == ModeGlobalJob {
			return ss.errAtPath(path+".replicas", true, fmt.Sprintf(
				"replicas cannot be used with mode %q (only replicated and replicated-job)", svc.Mode), nil)
		}
		n := uint64(*d.Replicas)
		svc.Replicas = &n
	}
	if d.UpdateConfig != nil && svc.IsJob() {
		return ss.errAtPath(path+".update_config", true, fmt.Sprintf(
			"update_config cannot be used with mode %q (Swarm rejects it: jobs are re-run, not updated)", svc.Mode), nil)
	}
	var err error
	if svc.UpdateConfig, err = ss.convertUpdateConfig(path+".update_config", d.UpdateConfig, "pause", "continue", "rollback"); err != nil {
		return err
	}
	if svc.RollbackConfig, err = ss.convertUpdateConfig(path+".rollback_config", d.RollbackConfig, "pause", "continue"); err != nil {
		return err
	}
	if svc.Resources.Limits, err = ss.convertResource(path+".resources.limits", d.Resources.Limits); err != nil {
		return err
	}
	if svc.Resources.Reservations, err = ss.convertResource(path+".resources.reservations", d.Resources.Reservations); err != nil {
		return err
	}
	svc.Labels = copyMap(d.Labels)
	svc.Placement = Placement{
		Constraints: slices.Sorted(slices.Values(d.Placement.Constraints)),
		MaxReplicas: d.Placement.MaxReplicas,
	}
	// Preferences keep their order: Swarm applies them hierarchically.
	for _, p := range d.Placement.Preferences {
		svc.Placement.Preferences = append(svc.Placement.Preferences, "spread="+p.Spread)
	}
	return nil
}

func (ss sources) convertUpdateConfig(path string, u *types.UpdateConfig, actions ...string) (*UpdateConfig, error) {
	if u == nil {
		return nil, nil
	}
	if u.FailureAction != "" && !slices.Contains(actions, u.FailureAction) {
		return nil, ss.errAtPath(path+".failure_action", false, fmt.Sprintf(
			"unknown failure_action %q (use %s)", u.FailureAction, strings.Join(actions, ", ")), nil)
	}
	if u.MaxFailureRatio < 0 || u.MaxFailureRatio > 1 {
		return nil, ss.errAtPath(path+".max_failure_ratio", false, "must be between 0 and 1", nil)
	}
	return &UpdateConfig{
		Parallelism:     u.Parallelism,
		Delay:           time.Duration(u.Delay),
		Monitor:         time.Duration(u.Monitor),
		FailureAction:   u.FailureAction,
		Order:           u.Order,
		MaxFailureRatio: u.MaxFailureRatio,
	}, nil
}

func convertHealthcheck(hc *types.HealthCheckConfig) *Healthcheck {
	if hc == nil {
		return nil
	}
	dur := func(d *types.Duration) time.Duration {
		if d == nil {
			return 0
		}
		return time.Duration(*d)
	}
	return &Healthcheck{
		Test:        hc.Test,
		Interval:    dur(hc.Interval),
		Timeout:     dur(hc.Timeout),
		StartPeriod: dur(hc.StartPeriod),
		Retries:     hc.Retries,
		Disabled:    hc.Disable,
	}
}

// Swarmkit's minimums for resources.
const (
	minNanoCPUs    = 1e6     // 0.001 CPU
	minMemoryBytes = 4 << 20 // 4 MiB
)

func (ss sources) convertResource(path string, r *types.Resource) (*ResourceAmount, error) {
	if r == nil {
		return nil, nil
	}
	nano, err := nanoCPUs(float32(r.NanoCPUs))
	if err != nil {
		return nil, ss.errAtPath(path+".cpus", false, err.Error(), nil)
	}
	if nano != 0 && nano < minNanoCPUs {
		return nil, ss.errAtPath(path+".cpus", false, "below Swarm's minimum of 0.001", nil)
	}
	mem := int64(r.MemoryBytes)
	if mem < 0 || (mem != 0 && mem < minMemoryBytes) {
		return nil, ss.errAtPath(path+".memory", false, "below Swarm's minimum of 4MiB", nil)
	}
	if r.Pids < 0 {
		return nil, ss.errAtPath(path+".pids", false, fmt.Sprintf("must be 0 or more, got %d", r.Pids), nil)
	}
	return &ResourceAmount{NanoCPUs: nano, MemoryBytes: mem, Pids: r.Pids}, nil
}

// nanoCPUs converts compose-go's float32 cpus exactly: multiplying the
// float gives 100000001 for 0.1, so go through the shortest decimal string
// that reads back as the same float32, as docker/cli parses the decimal.
func nanoCPUs(cpus float32) (int64, error) {
	if cpus == 0 {
		return 0, nil
	}
	s := strconv.FormatFloat(float64(cpus), 'f', -1, 32)
	if cpus < 0 {
		return 0, fmt.Errorf("must be positive, got %s", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, fmt.Errorf("invalid cpus %s", s)
	}
	r.Mul(r, big.NewRat(1e9, 1))
	if !r.IsInt() {
		return 0, fmt.Errorf("%s has more than 9 decimals", s)
	}
	return r.Num().Int64(), nil
}

// convertPorts validates ports. compose-go already expands ranges into one
// entry per port ("8000-8001:80-81" gives two); what remains is a published
// range for a single target port, which Swarm cannot express (Compose would
// pick one port of the range), unless the range has a single port.
func (ss sources) convertPorts(path string, in []types.ServicePortConfig) ([]Port, error) {
	var out []Port
	for _, p := range in {
		bad := func(msg string) error {
			return ss.errAtRef(path+".ports", portEntry(p), msg)
		}
		mode := cmp.Or(p.Mode, "ingress")
		if mode != "ingress" && mode != "host" {
			return nil, bad(fmt.Sprintf("unknown port mode %q (use ingress or host)", p.Mode))
		}
		proto := cmp.Or(p.Protocol, "tcp")
		if proto != "tcp" && proto != "udp" && proto != "sctp" {
			return nil, bad(fmt.Sprintf("unknown protocol %q (use tcp, udp or sctp)", p.Protocol))
		}
		if p.Target == 0 || p.Target > 65535 {
			return nil, bad(fmt.Sprintf("target port %d is not between 1 and 65535", p.Target))
		}
		lo, hi, err := parsePortRange(p.Published)
		if err != nil {
			return nil, bad(err.Error())
		}
		if hi != lo {
			return nil, bad(fmt.Sprintf("published range %s (%d ports) does not match target port %d (1 port)",
				p.Published, hi-lo+1, p.Target))
		}
		out = append(out, Port{Target: p.Target, Published: lo, Protocol: proto, Mode: mode})
	}
	slices.SortFunc(out, func(a, b Port) int {
		return cmp.Or(cmp.Compare(a.Published, b.Published), cmp.Compare(a.Target, b.Target),
			cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.Mode, b.Mode))
	})
	return out, nil
}

// parsePortRange parses "", "8080" or "8000-8010".
func parsePortRange(s string) (lo, hi uint32, err error) {
	if s == "" {
		return 0, 0, nil
	}
	first, last, isRange := strings.Cut(s, "-")
	a, errA := strconv.ParseUint(first, 10, 16)
	b, errB := a, error(nil)
	if isRange {
		b, errB = strconv.ParseUint(last, 10, 16)
	}
	if errA != nil || errB != nil || a == 0 || b < a {
		return 0, 0, fmt.Errorf("invalid published port %q (use a port or a range like 8000-8010, 1 to 65535)", s)
	}
	return uint32(a), uint32(b), nil
}

// portEntry picks the port entry in the file that produced p.
func portEntry(p types.ServicePortConfig) func(hit) bool {
	target := strconv.FormatUint(uint64(p.Target), 10)
	return func(h hit) bool {
		v := deref(h.val)
		switch v.Kind {
		case yaml.ScalarNode:
			return strings.Contains(v.Value, target) && (p.Published == "" || strings.Contains(v.Value, p.Published))
		case yaml.MappingNode:
			fields := map[string]string{}
			for _, kv := range mappingPairs(v) {
				fields[kv[0].Value] = kv[1].Value
			}
			return fields["target"] == target && fields["published"] == p.Published
		}
		return false
	}
}

// copyMap returns nil for an empty map, a copy otherwise.
func copyMap[M ~map[string]string](m M) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(map[string]string(m))
}
