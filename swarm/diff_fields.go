package swarm

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/swarm"
)

// Field names Drift picks out.
const (
	fieldReplicas = "replicas"
	fieldImage    = "image"
)

// fieldView shows one field of a canonical spec as text.
type fieldView struct {
	name string
	show func(s *swarm.ServiceSpec, cs *swarm.ContainerSpec) string
}

// specFields are the fields a diff shows, in the order it shows them.
// Env and labels are compared key by key apart from these.
var specFields = []fieldView{
	{"mode", func(s *swarm.ServiceSpec, _ *swarm.ContainerSpec) string { return changeMode(s.Mode) }},
	{fieldReplicas, func(s *swarm.ServiceSpec, _ *swarm.ContainerSpec) string { return countText(s.Mode) }},
	{fieldImage, func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return cs.Image }},
	{"entrypoint", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return listText(cs.Command) }},
	{"command", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return listText(cs.Args) }},
	{"ports", func(s *swarm.ServiceSpec, _ *swarm.ContainerSpec) string { return portsText(s.EndpointSpec.Ports) }},
	{"endpoint_mode", func(s *swarm.ServiceSpec, _ *swarm.ContainerSpec) string { return string(s.EndpointSpec.Mode) }},
	{"networks", func(s *swarm.ServiceSpec, _ *swarm.ContainerSpec) string {
		return networksText(s.TaskTemplate.Networks)
	}},
	{"volumes", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return mountsText(cs.Mounts) }},
	{"secrets", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return secretsText(cs.Secrets) }},
	{"configs", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return configsText(cs.Configs) }},
	{"resources", func(s *swarm.ServiceSpec, _ *swarm.ContainerSpec) string {
		return resourcesText(s.TaskTemplate.Resources)
	}},
	{"update_config", func(s *swarm.ServiceSpec, _ *swarm.ContainerSpec) string { return updateConfigText(s.UpdateConfig) }},
	{"rollback_config", func(s *swarm.ServiceSpec, _ *swarm.ContainerSpec) string { return updateConfigText(s.RollbackConfig) }},
	{"healthcheck", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return jsonText(cs.Healthcheck) }},
	{"restart_policy", func(s *swarm.ServiceSpec, _ *swarm.ContainerSpec) string {
		return restartText(s.TaskTemplate.RestartPolicy)
	}},
	{"placement", func(s *swarm.ServiceSpec, _ *swarm.ContainerSpec) string { return jsonText(s.TaskTemplate.Placement) }},
	{"stop_grace_period", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return cs.StopGracePeriod.String() }},
	{"stop_signal", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return cs.StopSignal }},
	{"logging", func(s *swarm.ServiceSpec, _ *swarm.ContainerSpec) string { return jsonText(s.TaskTemplate.LogDriver) }},
	{"hostname", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return cs.Hostname }},
	{"user", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return cs.User }},
	{"group_add", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return listText(cs.Groups) }},
	{"working_dir", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return cs.Dir }},
	{"init", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return jsonText(cs.Init) }},
	{"tty", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return strconv.FormatBool(cs.TTY) }},
	{"stdin_open", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return strconv.FormatBool(cs.OpenStdin) }},
	{"read_only", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return strconv.FormatBool(cs.ReadOnly) }},
	{"extra_hosts", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return listText(cs.Hosts) }},
	{"dns", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return jsonText(cs.DNSConfig) }},
	{"sysctls", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return jsonText(cs.Sysctls) }},
	{"cap_add", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return listText(cs.CapabilityAdd) }},
	{"cap_drop", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return listText(cs.CapabilityDrop) }},
	{"ulimits", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return jsonText(cs.Ulimits) }},
	{"oom_score_adj", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string {
		return strconv.FormatInt(cs.OomScoreAdj, 10)
	}},
	{"isolation", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return string(cs.Isolation) }},
	{"credential_spec", func(_ *swarm.ServiceSpec, cs *swarm.ContainerSpec) string { return jsonText(cs.Privileges) }},
}

// specChanges lists the fields in which file and live differ once both are
// canonical. If the specs differ in a field no view shows, that is still
// reported, so "no changes" always means the engine would see no change.
func specChanges(file, live swarm.ServiceSpec, networkNames map[string]string) []FieldChange {
	f, l := canonicalSpec(file, networkNames), canonicalSpec(live, networkNames)
	fcs, lcs := containerOrEmpty(f), containerOrEmpty(l)
	var out []FieldChange
	for _, v := range specFields {
		if fv, lv := v.show(&f, fcs), v.show(&l, lcs); fv != lv {
			out = append(out, FieldChange{Field: v.name, Live: lv, File: fv})
		}
	}
	shortenImages(out)
	out = append(out, keyChanges("env", envMap(lcs.Env), envMap(fcs.Env))...)
	imageMoved := hasField(out, fieldImage)
	out = append(out, keyChanges("labels", serviceLabelsToShow(l.Labels, imageMoved), serviceLabelsToShow(f.Labels, imageMoved))...)
	out = append(out, keyChanges("container_labels", lcs.Labels, fcs.Labels)...)
	if len(out) == 0 && specJSON(f) != specJSON(l) {
		out = append(out, FieldChange{Field: "spec", Live: "differs in a field swarmtop does not show", File: "(see docker service inspect)"})
	}
	return out
}

// shortenImages drops pinned digests from a shown image change unless the
// digest is the whole difference: "web:42" → "web:43" reads better than
// two 70-character references.
func shortenImages(changes []FieldChange) {
	for i, c := range changes {
		if c.Field != fieldImage {
			continue
		}
		if l, f := withoutDigest(c.Live), withoutDigest(c.File); l != f {
			changes[i].Live, changes[i].File = l, f
		}
	}
}

func containerOrEmpty(s swarm.ServiceSpec) *swarm.ContainerSpec {
	if s.TaskTemplate.ContainerSpec != nil {
		return s.TaskTemplate.ContainerSpec
	}
	return &swarm.ContainerSpec{}
}

func hasField(changes []FieldChange, field string) bool {
	for _, c := range changes {
		if c.Field == field {
			return true
		}
	}
	return false
}

// serviceLabelsToShow leaves out the stack's image label when the image
// itself differs: it moves with the image and would say the same twice.
func serviceLabelsToShow(labels map[string]string, imageMoved bool) map[string]string {
	if !imageMoved {
		return labels
	}
	out := map[string]string{}
	for k, v := range labels {
		if k != ImageLabel {
			out[k] = v
		}
	}
	return out
}

// unsetText stands for a key that one side does not have.
const unsetText = "(unset)"

// keyChanges compares two maps key by key: prefix.KEY, one change per key.
func keyChanges(prefix string, live, file map[string]string) []FieldChange {
	keys := map[string]bool{}
	for k := range live {
		keys[k] = true
	}
	for k := range file {
		keys[k] = true
	}
	var out []FieldChange
	for _, k := range sortedKeys(keys) {
		lv, inLive := live[k]
		fv, inFile := file[k]
		if inLive == inFile && lv == fv {
			continue
		}
		if !inLive {
			lv = unsetText
		}
		if !inFile {
			fv = unsetText
		}
		out = append(out, FieldChange{Field: prefix + "." + k, Live: lv, File: fv})
	}
	return out
}

// envMap reads K=V entries; a bare K (passed without a value) shows as such.
func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, e := range env {
		k, v, ok := strings.Cut(e, "=")
		if !ok {
			v = "(no value)"
		}
		m[k] = v
	}
	return m
}

// countText is the replica count, or a job's completions.
func countText(m swarm.ServiceMode) string {
	switch {
	case m.Replicated != nil && m.Replicated.Replicas != nil:
		return strconv.FormatUint(*m.Replicated.Replicas, 10)
	case m.ReplicatedJob != nil && m.ReplicatedJob.TotalCompletions != nil:
		return strconv.FormatUint(*m.ReplicatedJob.TotalCompletions, 10)
	}
	return ""
}

func listText(l []string) string {
	if l == nil {
		return ""
	}
	return jsonText(l)
}

// jsonText shows a value compactly; nil shows as nothing.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return ""
	}
	return string(b)
}

// portsText: "8080:80/tcp, 9000:9000/udp (host)"; ingress is the default.
func portsText(ports []swarm.PortConfig) string {
	parts := make([]string, len(ports))
	for i, p := range ports {
		s := fmt.Sprintf("%d/%s", p.TargetPort, p.Protocol)
		if p.PublishedPort != 0 {
			s = fmt.Sprintf("%d:%s", p.PublishedPort, s)
		}
		if p.PublishMode != swarm.PortConfigPublishModeIngress {
			s += " (" + string(p.PublishMode) + ")"
		}
		parts[i] = s
	}
	return strings.Join(parts, ", ")
}

// networksText: "shop_backend (aliases: web), shop_frontend".
func networksText(nets []swarm.NetworkAttachmentConfig) string {
	parts := make([]string, len(nets))
	for i, n := range nets {
		parts[i] = n.Target
		if len(n.Aliases) > 0 {
			parts[i] += " (aliases: " + strings.Join(n.Aliases, " ") + ")"
		}
		if len(n.DriverOpts) > 0 {
			parts[i] += " driver_opts " + jsonText(n.DriverOpts)
		}
	}
	return strings.Join(parts, ", ")
}

// mountsText: "volume shop_media:/srv/media, bind /etc/x:/x:ro, tmpfs /tmp".
func mountsText(mounts []mount.Mount) string {
	parts := make([]string, len(mounts))
	for i, m := range mounts {
		s := string(m.Type) + " "
		if m.Source != "" {
			s += m.Source + ":"
		}
		s += m.Target
		if m.ReadOnly {
			s += ":ro"
		}
		if extra := mountOptionsText(m); extra != "" {
			s += " " + extra
		}
		parts[i] = s
	}
	return strings.Join(parts, ", ")
}

func mountOptionsText(m mount.Mount) string {
	var opts []string
	for _, o := range []any{m.BindOptions, m.VolumeOptions, m.TmpfsOptions, m.ImageOptions} {
		if t := jsonText(o); t != "" {
			opts = append(opts, t)
		}
	}
	if m.Consistency != "" {
		opts = append(opts, "consistency "+string(m.Consistency))
	}
	return strings.Join(opts, " ")
}

// secretsText: "shop_key → /run/secrets/key (0:0 0444)".
func secretsText(refs []*swarm.SecretReference) string {
	parts := make([]string, len(refs))
	for i, r := range refs {
		parts[i] = r.SecretName + fileTargetText(r.File)
	}
	return strings.Join(parts, ", ")
}

func configsText(refs []*swarm.ConfigReference) string {
	parts := make([]string, len(refs))
	for i, r := range refs {
		var t *swarm.SecretReferenceFileTarget
		if r.File != nil {
			ft := swarm.SecretReferenceFileTarget(*r.File)
			t = &ft
		}
		parts[i] = r.ConfigName + fileTargetText(t)
		if r.Runtime != nil {
			parts[i] += " (runtime)"
		}
	}
	return strings.Join(parts, ", ")
}

func fileTargetText(f *swarm.SecretReferenceFileTarget) string {
	if f == nil {
		return ""
	}
	return fmt.Sprintf(" → %s (%s:%s %04o)", f.Name, f.UID, f.GID, uint32(f.Mode&os.ModePerm))
}

// resourcesText: "limits cpus=1 memory=512MiB; reservations memory=256MiB".
func resourcesText(r *swarm.ResourceRequirements) string {
	if r == nil {
		return ""
	}
	var parts []string
	if l := r.Limits; l != nil {
		parts = append(parts, "limits"+amountText(l.NanoCPUs, l.MemoryBytes)+pidsText(l.Pids))
	}
	if s := r.Reservations; s != nil {
		t := "reservations" + amountText(s.NanoCPUs, s.MemoryBytes)
		if len(s.GenericResources) > 0 {
			t += " generic=" + jsonText(s.GenericResources)
		}
		parts = append(parts, t)
	}
	if r.SwapBytes != nil || r.MemorySwappiness != nil {
		parts = append(parts, "swap "+jsonText(r.SwapBytes)+" swappiness "+jsonText(r.MemorySwappiness))
	}
	return strings.Join(parts, "; ")
}

func amountText(nano, mem int64) string {
	var s string
	if nano != 0 {
		s += " cpus=" + strconv.FormatFloat(float64(nano)/1e9, 'f', -1, 64)
	}
	if mem != 0 {
		s += " memory=" + units.BytesSize(float64(mem))
	}
	return s
}

func pidsText(pids int64) string {
	if pids == 0 {
		return ""
	}
	return " pids=" + strconv.FormatInt(pids, 10)
}

func updateConfigText(u *swarm.UpdateConfig) string {
	if u == nil {
		return ""
	}
	return fmt.Sprintf("parallelism=%d delay=%s failure_action=%s monitor=%s max_failure_ratio=%g order=%s",
		u.Parallelism, u.Delay, u.FailureAction, u.Monitor, u.MaxFailureRatio, u.Order)
}

func restartText(r *swarm.RestartPolicy) string {
	if r == nil {
		return ""
	}
	durText := func(d *time.Duration) string {
		if d == nil {
			return "0s"
		}
		return d.String()
	}
	attempts := "0"
	if r.MaxAttempts != nil {
		attempts = strconv.FormatUint(*r.MaxAttempts, 10)
	}
	return fmt.Sprintf("condition=%s delay=%s max_attempts=%s window=%s", r.Condition, durText(r.Delay), attempts, durText(r.Window))
}
