package stackfile

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/tree"
	"github.com/sirupsen/logrus"
)

// keyRule is a compose key Swarm does not honour.
type keyRule struct {
	path string // tree.Path pattern, e.g. "services.*.build"
	// forbidden keys fail the load, as docker stack deploy refuses them;
	// the others only warn.
	forbidden bool
	why       string
	// detect, if set, says whether the value found is worth reporting.
	detect func(any) bool
}

// keyRules lists the keys docker stack deploy ignores (with a warning or
// silently) or refuses, plus compose-only keys that mean nothing to Swarm.
var keyRules = []keyRule{
	// docker stack deploy: "Ignoring unsupported options".
	{path: "services.*.build", why: "stack deploy uses images only"},
	{path: "services.*.cgroup", why: "not supported by Swarm services"},
	{path: "services.*.cgroup_parent", why: "not supported by Swarm services"},
	{path: "services.*.devices", why: "not supported by Swarm services"},
	{path: "services.*.domainname", why: "not supported by Swarm services"},
	{path: "services.*.external_links", why: "services find each other by name on shared networks"},
	{path: "services.*.ipc", why: "not supported by Swarm services"},
	{path: "services.*.links", why: "services find each other by name on shared networks"},
	{path: "services.*.mac_address", why: "not supported by Swarm services"},
	{path: "services.*.network_mode", why: "services attach to networks: instead"},
	{path: "services.*.pid", why: "not supported by Swarm services"},
	{path: "services.*.privileged", why: "not supported by Swarm services"},
	{path: "services.*.restart", why: "except as the restart policy when deploy.restart_policy is absent"},
	{path: "services.*.security_opt", why: "not supported by Swarm services"},
	{path: "services.*.shm_size", why: "not supported by Swarm services"},
	{path: "services.*.userns_mode", why: "not supported by Swarm services"},
	// docker stack deploy: "Ignoring deprecated options".
	{path: "services.*.container_name", why: "Swarm names task containers itself"},
	{path: "services.*.expose", why: "services on a shared network reach every port without it"},
	// Silently dropped by docker stack deploy.
	{path: "services.*.depends_on", why: "Swarm starts services in no particular order"},
	{path: "services.*.tmpfs", why: "use a volumes entry with type: tmpfs"},
	{path: "services.*.networks.*.ipv4_address", why: "Swarm assigns addresses itself"},
	{path: "services.*.networks.*.ipv6_address", why: "Swarm assigns addresses itself"},
	{path: "services.*.profiles", why: "stack files have no profiles; the service is deployed"},
	// Compose-only keys with no Swarm meaning.
	{path: "services.*.scale", why: "use deploy.replicas"},
	{path: "services.*.cpus", why: "use deploy.resources.limits.cpus"},
	{path: "services.*.mem_reservation", why: "use deploy.resources.reservations.memory"},
	{path: "services.*.pids_limit", why: "use deploy.resources.limits.pids"},
	{path: "services.*.platform", why: "use a deploy.placement constraint on node.platform.os/arch"},
	{path: "services.*.pull_policy", why: "each node pulls the image when it starts a task"},
	{path: "services.*.ports.[].host_ip", why: "Swarm publishes ports on every address", detect: nonEmpty},
	{path: "services.*.deploy.resources.reservations.devices", why: "use generic_resources"},
	{path: "services.*.develop", why: "Compose only"},
	{path: "services.*.attach", why: "Compose only"},
	{path: "services.*.pre_start", why: "Compose only"},
	{path: "services.*.post_start", why: "Compose only"},
	{path: "services.*.pre_stop", why: "Compose only"},
	{path: "services.*.provider", why: "Compose only"},
	{path: "services.*.models", why: "Compose only"},
	{path: "services.*.use_api_socket", why: "Compose only"},
	{path: "services.*.gpus", why: "use generic_resources"},
	{path: "services.*.runtime", why: "not supported by Swarm services"},
	{path: "services.*.storage_opt", why: "not supported by Swarm services"},
	{path: "services.*.blkio_config", why: "not supported by Swarm services"},
	{path: "services.*.cpu_count", why: "use deploy.resources.limits.cpus"},
	{path: "services.*.cpu_percent", why: "use deploy.resources.limits.cpus"},
	{path: "services.*.cpu_period", why: "use deploy.resources.limits.cpus"},
	{path: "services.*.cpu_rt_period", why: "not supported by Swarm services"},
	{path: "services.*.cpu_rt_runtime", why: "not supported by Swarm services"},
	{path: "services.*.mem_swappiness", why: "not supported by Swarm services"},
	{path: "services.*.oom_kill_disable", why: "not supported by Swarm services"},
	{path: "services.*.uts", why: "not supported by Swarm services"},
	{path: "services.*.device_cgroup_rules", why: "not supported by Swarm services"},
	{path: "jobs", why: "use a service with deploy.mode: replicated-job"},
	{path: "models", why: "Compose only"},
	// docker stack deploy: "compose file contains unsupported options".
	{path: "services.*.extends", forbidden: true, why: "stack deploy does not support extends; inline the service"},
	{path: "services.*.volume_driver", forbidden: true, why: "declare a top-level volume with driver:"},
	{path: "services.*.volumes_from", forbidden: true, why: "share a named volume instead"},
	{path: "services.*.cpu_quota", forbidden: true, why: "use deploy.resources.limits.cpus"},
	{path: "services.*.cpu_shares", forbidden: true, why: "use deploy.resources.limits.cpus"},
	{path: "services.*.cpuset", forbidden: true, why: "Swarm cannot pin CPUs"},
	{path: "services.*.mem_limit", forbidden: true, why: "use deploy.resources.limits.memory"},
	{path: "services.*.memswap_limit", forbidden: true, why: "Swarm cannot limit swap"},
}

// legacyKeys are docker stack (v3 schema) keys that the compose spec no
// longer knows. compose-go would reject them as unknown, so they are
// renamed to x- extensions before loading and only warned about.
var legacyKeys = []keyRule{
	{path: "services.*.cgroupns_mode", why: "not supported by Swarm services"},
}

func keyPatterns() []loader.UnsupportedAttributePattern {
	patterns := make([]loader.UnsupportedAttributePattern, len(keyRules))
	for i, r := range keyRules {
		patterns[i] = loader.UnsupportedAttributePattern{Path: tree.Path(r.path), Detect: r.detect}
	}
	return patterns
}

// nonEmpty skips values compose-go fills in as empty, such as the host_ip
// of a short-syntax port without one.
func nonEmpty(v any) bool { return v != nil && v != "" }

func ruleFor(p tree.Path) keyRule {
	for _, r := range keyRules {
		if p.Matches(tree.Path(r.path)) {
			return r
		}
	}
	return keyRule{}
}

// displayKeyPath writes a tree.Path the way users write it: dots inside
// keys restored, list items as [].
func displayKeyPath(p tree.Path) string {
	return strings.ReplaceAll(p.String(), ".[]", "[]")
}

func ignoredWarning(path, why string) string {
	return fmt.Sprintf("warning: %s is ignored by Swarm (%s)", path, why)
}

// applyFindings turns compose-go's unsupported-attribute findings into
// warnings, or into an error naming every forbidden key with its file and
// line.
func (ss sources) applyFindings(findings []loader.UnsupportedAttribute, w *warnings) error {
	var forbidden []*Error
	for _, f := range findings {
		r := ruleFor(f.Path)
		path := displayKeyPath(f.Path)
		if !r.forbidden {
			w.add(ignoredWarning(path, r.why))
			continue
		}
		// find() takes "[]" segments as-is; the display path is for people.
		forbidden = append(forbidden, ss.errAtPath(f.Path.String(), true, "not supported by docker stack deploy ("+r.why+")", nil))
		forbidden[len(forbidden)-1].Path = path
	}
	if len(forbidden) == 0 {
		return nil
	}
	e := forbidden[0]
	var others []string
	for _, o := range forbidden[1:] {
		others = append(others, fmt.Sprintf("%s (%s)", o.Path, o.location()))
	}
	if len(others) > 0 {
		e.Msg += "; also refused: " + strings.Join(others, ", ")
	}
	return e
}

// warnings collects warning lines without duplicates.
type warnings struct{ lines []string }

func (w *warnings) add(line string) {
	if !slices.Contains(w.lines, line) {
		w.lines = append(w.lines, line)
	}
}

func (w *warnings) sorted() []string {
	slices.Sort(w.lines)
	return w.lines
}

var unsetVarRE = regexp.MustCompile(`^The "(.+)" variable is not set\. Defaulting to a blank string\.$`)

// addLog turns a compose-go log message into a warning. Interpolating an
// unset variable is worth a warning naming where it is used; the obsolete
// `version` notice is dropped (stack files written for docker stack deploy
// legitimately carry it).
func (w *warnings) addLog(msg string, ss sources) {
	switch {
	case strings.Contains(msg, "the attribute `version` is obsolete"):
	case strings.Contains(msg, "ResourceLoaders"):
	case unsetVarRE.MatchString(msg):
		name := unsetVarRE.FindStringSubmatch(msg)[1]
		line := fmt.Sprintf("warning: variable %s is not set, using an empty string", name)
		if where := ss.variableUses(name); where != "" {
			line += " (" + where + ")"
		}
		w.add(line)
	default:
		w.add("warning: " + msg)
	}
}

// variableUses lists file:line of each use of $NAME, for warnings.
func (ss sources) variableUses(name string) string {
	var uses []string
	for _, s := range ss {
		for i, line := range strings.Split(string(s.content), "\n") {
			if variableIndex(line, name) >= 0 {
				uses = append(uses, fmt.Sprintf("%s:%d", displayPath(s.arg), i+1))
			}
		}
	}
	return strings.Join(uses, ", ")
}

// logMu serialises loads: compose-go logs through the global logrus
// logger, which is redirected while loading.
var logMu sync.Mutex

// captureLogs runs fn with logrus' standard logger redirected into the
// returned messages, so compose-go's warnings become Stack.Warnings instead
// of stray stderr lines (which would also corrupt the TUI).
func captureLogs(fn func() error) ([]string, error) {
	logMu.Lock()
	defer logMu.Unlock()
	l := logrus.StandardLogger()
	c := &logCollector{}
	out, level := l.Out, l.GetLevel()
	hooks := l.ReplaceHooks(logrus.LevelHooks{})
	l.AddHook(c)
	l.SetOutput(io.Discard)
	if level < logrus.WarnLevel {
		l.SetLevel(logrus.WarnLevel)
	}
	defer func() {
		l.ReplaceHooks(hooks)
		l.SetOutput(out)
		l.SetLevel(level)
	}()
	err := fn()
	return c.msgs, err
}

type logCollector struct {
	mu   sync.Mutex
	msgs []string
}

func (c *logCollector) Levels() []logrus.Level {
	return []logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel, logrus.WarnLevel}
}

func (c *logCollector) Fire(e *logrus.Entry) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, e.Message)
	return nil
}
