package stackfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v4"
)

// Options says what to load.
type Options struct {
	// Files are the stack files (-c), merged in order with the compose-spec
	// override rules. The first file's directory is the working directory.
	Files []string
	// StackName overrides the name (--stack). It must already be a valid
	// stack name.
	StackName string
	// Environ is the environment for interpolation, as "KEY=value"
	// entries; nil means os.Environ().
	Environ []string
}

// stackNameRE is what compose-go accepts as a project name; Swarm object
// names are built as <stack>_<key>.
var stackNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Load reads, merges, interpolates and validates the stack files. Bad input
// is returned as an *Error; warnings are in Stack.Warnings.
func Load(ctx context.Context, opts Options) (*Stack, error) {
	if len(opts.Files) == 0 {
		return nil, &Error{Msg: "no stack file given (use -c FILE)"}
	}
	if opts.StackName != "" && !stackNameRE.MatchString(opts.StackName) {
		return nil, &Error{Path: "--stack", Msg: fmt.Sprintf(
			"invalid stack name %q: use lowercase letters, digits, \"-\" and \"_\", starting with a letter or digit",
			opts.StackName)}
	}
	var ss sources
	for _, f := range opts.Files {
		s, err := readSource(f)
		if err != nil {
			return nil, err
		}
		ss = append(ss, s)
	}
	wd := filepath.Dir(ss[0].abs)
	env, err := environment(opts.Environ, wd)
	if err != nil {
		return nil, err
	}
	w := &warnings{}
	project, err := ss.loadProject(ctx, wd, env, opts.StackName, w)
	if err != nil {
		return nil, err
	}
	stack, err := ss.buildStack(project)
	if err != nil {
		return nil, err
	}
	stack.WorkingDir = wd
	for _, s := range ss {
		stack.Files = append(stack.Files, s.abs)
	}
	if opts.StackName == "" {
		ss.warnNormalisedName(stack.Name, w)
	}
	stack.Warnings = w.sorted()
	return stack, nil
}

// environment is the interpolation environment: the process (or given)
// environment, plus the .env file beside the first stack file for
// variables the environment does not set.
func environment(environ []string, wd string) (types.Mapping, error) {
	if environ == nil {
		environ = os.Environ()
	}
	env := types.NewMapping(environ)
	path := filepath.Join(wd, ".env")
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && info.IsDir()) {
		return env, nil
	}
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read: " + pathErrReason(err), Err: err}
	}
	vars, err := dotenv.GetEnvFromFile(env, []string{path})
	if err != nil {
		if m := envFileRE.FindStringSubmatch(err.Error()); m != nil {
			return nil, &Error{File: path, Line: atoi(m[2]), Msg: m[3], Err: err}
		}
		return nil, &Error{File: path, Msg: err.Error(), Err: err}
	}
	for k, v := range vars {
		if _, set := env[k]; !set { // the shell wins over .env, as in compose
			env[k] = v
		}
	}
	return env, nil
}

// loadProject runs compose-go's loader over the files and checks what it
// leaves unchecked.
func (ss sources) loadProject(ctx context.Context, wd string, env types.Mapping, name string, w *warnings) (*types.Project, error) {
	details := types.ConfigDetails{WorkingDir: wd, Environment: env}
	for _, s := range ss {
		details.ConfigFiles = append(details.ConfigFiles, types.ConfigFile{Filename: s.abs, Content: s.loaderContent(w)})
	}
	var findings []loader.UnsupportedAttribute
	options := []func(*loader.Options){
		func(o *loader.Options) {
			if name != "" {
				o.SetProjectName(name, true)
			} else {
				// A top-level name: in the files replaces this (compose-go
				// reads and normalises it).
				o.SetProjectName(loader.NormalizeProjectName(filepath.Base(wd)), false)
			}
			// Stack files have no profiles: keep every service (profiles:
			// is warned about instead).
			o.Profiles = []string{"*"}
			// The consistency check rejects driver-only secrets, which
			// Swarm supports; checkProject does the checks that matter.
			o.SkipConsistencyCheck = true
			// extends is refused like docker stack deploy does, not applied.
			o.SkipExtends = true
			// env_file is resolved after checkEnvFiles can point at the
			// line naming a missing file.
			o.SkipResolveEnvironment = true
		},
		loader.WithUnsupportedAttributesCheck(keyPatterns(), func(f []loader.UnsupportedAttribute) { findings = f }),
	}
	var project *types.Project
	logs, err := captureLogs(func() error {
		var err error
		project, err = loader.LoadWithContext(ctx, details, options...)
		return err
	})
	for _, msg := range logs {
		w.addLog(msg, ss)
	}
	// Forbidden keys come first: they are found before the later stages
	// that may fail because of them.
	if ferr := ss.applyFindings(findings, w); ferr != nil {
		return nil, ferr
	}
	if err != nil {
		if strings.Contains(err.Error(), "project name must not be empty") {
			return nil, &Error{Path: "--stack", Err: err, Msg: fmt.Sprintf(
				"cannot derive a stack name from directory %q: add a top-level name: or use --stack", filepath.Base(wd))}
		}
		return nil, ss.mapLoadError(err)
	}
	if err := ss.checkEnvFiles(project); err != nil {
		return nil, err
	}
	project, err = project.WithServicesEnvironmentResolved(true)
	if err != nil {
		return nil, ss.mapLoadError(err)
	}
	return project, nil
}

// loaderContent is the file as handed to compose-go: legacy docker stack
// keys the compose spec dropped are renamed to x- extensions (and warned
// about) so they do not fail schema validation. Only the key text changes,
// so line numbers stay valid.
func (s *source) loaderContent(w *warnings) []byte {
	var edits []int
	for _, r := range legacyKeys {
		for _, h := range s.find(r.path) {
			if off := s.offset(h.key); off >= 0 {
				edits = append(edits, off)
				w.add(ignoredWarning(strings.Replace(r.path, "*", keyAtService(h, s), 1), r.why))
			}
		}
	}
	if len(edits) == 0 {
		return s.content
	}
	slices.Sort(edits)
	edits = slices.Compact(edits) // an anchor merged into several services
	out := slices.Clone(s.content)
	for i := len(edits) - 1; i >= 0; i-- {
		out = slices.Insert(out, edits[i], []byte("x-")...)
	}
	return out
}

// keyAtService finds the service name owning a legacy key hit.
func keyAtService(h hit, s *source) string {
	for _, svc := range s.find("services.*") {
		for _, kv := range mappingPairs(deref(svc.val)) {
			if kv[0] == h.key {
				return svc.key.Value
			}
		}
	}
	return "*"
}

// offset is the byte offset of a plain or quoted key's text, or -1.
func (s *source) offset(n *yaml.Node) int {
	lines := bytes.SplitAfter(s.content, []byte("\n"))
	if n.Line < 1 || n.Line > len(lines) {
		return -1
	}
	off := 0
	for _, l := range lines[:n.Line-1] {
		off += len(l)
	}
	line := lines[n.Line-1]
	start := min(max(n.Column-1, 0), len(line))
	i := bytes.Index(line[start:], []byte(n.Value))
	if i < 0 {
		return -1
	}
	return off + start + i
}

// warnNormalisedName warns when a top-level name: had to be changed to be
// a valid stack name.
func (ss sources) warnNormalisedName(name string, w *warnings) {
	hits := ss.find("name")
	if len(hits) == 0 {
		return
	}
	raw := hits[len(hits)-1].val.Value
	if raw != name && !strings.Contains(raw, "$") {
		w.add(fmt.Sprintf("warning: name %q is not a valid stack name; using %q", raw, name))
	}
}
