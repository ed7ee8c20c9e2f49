package stackfile

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/compose-spec/compose-go/v2/tree"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
	"go.yaml.in/yaml/v4"
)

// swarmNameRE and the 63-character limit are swarmkit's rules for service
// names (controlapi validateAnnotations).
var swarmNameRE = regexp.MustCompile(`^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$`)

// checkProject does the consistency checks compose-go's own check would
// do (it is skipped: it rejects driver-only secrets), with line numbers,
// plus what Swarm requires of every service.
func (ss sources) checkProject(p *types.Project) error {
	if len(p.Services) == 0 {
		return &Error{File: ss[0].arg, Msg: "no services defined"}
	}
	for _, name := range p.ServiceNames() {
		if err := ss.checkService(p, p.Services[name]); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.Secrets)) {
		s := p.Secrets[name]
		if !s.External && s.File == "" && s.Environment == "" && s.Driver == "" {
			return ss.errAtPath("secrets."+name, true, fileObjectNeeds("secrets."+name), nil)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.Configs)) {
		c := p.Configs[name]
		if !c.External && c.File == "" && c.Content == "" && c.Environment == "" {
			return ss.errAtPath("configs."+name, true, fileObjectNeeds("configs."+name), nil)
		}
	}
	return nil
}

func (ss sources) checkService(p *types.Project, s types.ServiceConfig) error {
	path := "services." + s.Name
	if s.Image == "" {
		msg := "no image: Swarm services run images"
		if s.Build != nil {
			msg += " (build: is not used by stack deploy)"
		}
		return ss.errAtPath(path, true, msg, nil)
	}
	if _, err := reference.ParseNormalizedNamed(s.Image); err != nil {
		return ss.errAtPath(path+".image", false, fmt.Sprintf("invalid image reference %q: %v", s.Image, err), nil)
	}
	if full := p.Name + "_" + s.Name; len(full) > 63 || !swarmNameRE.MatchString(full) {
		return ss.errAtPath(path, true, fmt.Sprintf(
			"Swarm cannot name this service %q: use letters, digits, \"-\" and \"_\", at most 63 characters with the stack name", full), nil)
	}
	for _, n := range slices.Sorted(maps.Keys(s.Networks)) {
		if _, ok := p.Networks[n]; !ok {
			return ss.errAtRef(path+".networks", refersTo(n), fmt.Sprintf("undefined network %q (declare it under the top-level networks:)", n))
		}
	}
	for _, v := range s.Volumes {
		if _, ok := p.Volumes[v.Source]; v.Type == types.VolumeTypeVolume && v.Source != "" && !ok {
			return ss.errAtRef(path+".volumes", refersTo(v.Source, "source"), fmt.Sprintf("undefined volume %q (declare it under the top-level volumes:)", v.Source))
		}
	}
	for _, ref := range s.Secrets {
		if ref.Source == "" {
			return ss.errAtPath(path+".secrets", false, "an entry has no source:", nil)
		}
		if _, ok := p.Secrets[ref.Source]; !ok {
			return ss.errAtRef(path+".secrets", refersTo(ref.Source, "source"), fmt.Sprintf("undefined secret %q (declare it under the top-level secrets:)", ref.Source))
		}
	}
	for _, ref := range s.Configs {
		if ref.Source == "" {
			return ss.errAtPath(path+".configs", false, "an entry has no source:", nil)
		}
		if _, ok := p.Configs[ref.Source]; !ok {
			return ss.errAtRef(path+".configs", refersTo(ref.Source, "source"), fmt.Sprintf("undefined config %q (declare it under the top-level configs:)", ref.Source))
		}
	}
	if hc := s.HealthCheck; hc != nil && len(hc.Test) > 0 {
		if !slices.Contains([]string{"CMD", "CMD-SHELL", "NONE"}, hc.Test[0]) {
			return ss.errAtPath(path+".healthcheck.test", false, `must start with "CMD", "CMD-SHELL" or "NONE"`, nil)
		}
		if hc.Disable && hc.Test[0] != "NONE" {
			return ss.errAtPath(path+".healthcheck.disable", true, "cannot be combined with test", nil)
		}
	}
	return nil
}

// checkEnvFiles reports a missing env_file at the line that names it
// (compose-go's error names neither the service nor the stack file).
func (ss sources) checkEnvFiles(p *types.Project) error {
	for _, name := range p.ServiceNames() {
		for _, ef := range p.Services[name].EnvFiles {
			info, err := os.Stat(ef.Path)
			var msg string
			switch {
			case errors.Is(err, fs.ErrNotExist) && !bool(ef.Required):
				continue
			case errors.Is(err, fs.ErrNotExist):
				msg = fmt.Sprintf("env file %s not found", displayPath(ef.Path))
			case err != nil:
				msg = fmt.Sprintf("env file %s: %s", displayPath(ef.Path), pathErrReason(err))
			case info.IsDir():
				msg = fmt.Sprintf("env file %s is a directory", displayPath(ef.Path))
			default:
				continue
			}
			return ss.errAtRef("services."+name+".env_file", namesFile(ef.Path, p.WorkingDir), msg)
		}
	}
	return nil
}

// errAtRef reports msg at the entry of a list or mapping (networks,
// secrets, env_file, ...) that pred picks, or at the list itself.
func (ss sources) errAtRef(listPath string, pred func(hit) bool, msg string) *Error {
	if h, ok := ss.locate(listPath+".*", pred); ok && pred(h) {
		return errAt(h, true, listPath, msg)
	}
	return ss.errAtPath(listPath, false, msg, nil)
}

// refersTo picks an entry naming name: a mapping key, a list item (or its
// "name:..." short syntax), or a long-syntax item whose field is name.
func refersTo(name string, fields ...string) func(hit) bool {
	return func(h hit) bool {
		v := deref(h.val)
		switch {
		case h.key != h.val && h.key.Kind == yaml.ScalarNode: // mapping entry
			return h.key.Value == name
		case v.Kind == yaml.ScalarNode:
			return v.Value == name || strings.HasPrefix(v.Value, name+":")
		case v.Kind == yaml.MappingNode:
			for _, kv := range mappingPairs(v) {
				if slices.Contains(fields, kv[0].Value) && kv[1].Value == name {
					return true
				}
			}
		}
		return false
	}
}

// namesFile picks the env_file entry (a path or {path: ...}) that resolves
// to abs.
func namesFile(abs, wd string) func(hit) bool {
	matches := func(p string) bool {
		if !filepath.IsAbs(p) {
			p = filepath.Join(wd, p)
		}
		return filepath.Clean(p) == abs
	}
	return func(h hit) bool {
		v := deref(h.val)
		if v.Kind == yaml.ScalarNode {
			return matches(v.Value)
		}
		for _, kv := range mappingPairs(v) {
			if kv[0].Value == "path" && matches(kv[1].Value) {
				return true
			}
		}
		return false
	}
}

// isPortError recognises go-connections' port parsing errors, which
// compose-go returns without saying where the port is.
func isPortError(msg string) bool {
	for _, p := range []string{"invalid containerPort", "invalid hostPort", "invalid ranges specified",
		"invalid proto", "invalid port", "invalid IP address", "no port specified", "invalid start port",
		"invalid end port", "empty string specified for ports"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// findBadPort finds the short-syntax port that does not parse.
func (ss sources) findBadPort() *Error {
	for _, s := range ss {
		for _, svc := range s.find("services.*") {
			name := svc.key.Value
			for i, h := range s.find("services." + name + ".ports.*") {
				v := h.val
				if v.Kind != yaml.ScalarNode || strings.Contains(v.Value, "$") {
					continue
				}
				if _, err := types.ParsePortConfig(v.Value); err != nil {
					return errAt(h, false, fmt.Sprintf("services.%s.ports[%d]", name, i), fmt.Sprintf("invalid port %q: %v", v.Value, err))
				}
			}
		}
	}
	return nil
}

// suggestKey returns the known key closest to an unknown key's last
// segment, if it is a likely typo.
func suggestKey(path string) string {
	parent, key := "", path
	if i := strings.LastIndex(path, "."); i >= 0 {
		parent, key = path[:i], path[i+1:]
	}
	// schema paths write list items as [].
	parts := strings.Split(parent, ".")
	for i, p := range parts {
		if _, err := strconv.Atoi(p); err == nil {
			parts[i] = tree.PathMatchList
		}
	}
	parent = strings.Join(parts, ".")
	best, bestDist := "", 3
	for _, p := range schema.AttributePaths() {
		cand := p.Last()
		if !tree.Path(joinPath(parent, cand)).Matches(p) {
			continue
		}
		if d := editDistance(key, cand); d < bestDist && d < len(key) {
			best, bestDist = cand, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
