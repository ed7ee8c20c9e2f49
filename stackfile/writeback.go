package stackfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"go.yaml.in/yaml/v4"
)

// WriteBackResult says what WriteBackReplicas changed, for a line such as
//
//	examples/django/stack.yml:46: replicas 2 → 4
type WriteBackResult struct {
	// File is the absolute path of the file written.
	File string
	// Line is the line of the replicas value, after the write.
	Line int
	// Old is the value as written before ("" when Added); New is the value
	// written. Old == New means nothing was written.
	Old, New string
	// Added is true when the file had no replicas: key and one was added.
	Added bool
}

// String formats the result as file:line: replicas OLD → NEW.
func (r WriteBackResult) String() string {
	old := r.Old
	if r.Added {
		old = "(unset)"
	}
	return fmt.Sprintf("%s:%d: replicas %s → %s", displayPath(r.File), r.Line, old, r.New)
}

// ErrStale is the Err of the *Error returned when a stack file no longer
// says what it said when the stack was loaded: writing would clobber an
// edit made since. Reload and try again.
var ErrStale = errors.New("stack file changed since it was loaded")

// WriteBackReplicas writes a new replica count for a service (its key in
// the file, e.g. "web") into the stack file that sets it, so the next
// deploy keeps a scale done live.
//
// The file changed is the last one (in -c order) that sets
// services.<service>.deploy.replicas, as that value wins the merge. Only the
// number's bytes change; comments, quoting, line endings and everything else
// stay as they were. When no file sets replicas, "replicas: N" is added to
// the last file with a deploy: for the service, else a deploy: block is
// added to the first file declaring the service.
//
// It refuses, with an *Error naming the file and line, when the value comes
// from a variable (the variable is what to change), when it lives in a YAML
// anchor other services or keys share, and when the file no longer matches
// st (Err is ErrStale). The file is replaced atomically, keeping its mode.
func WriteBackReplicas(st *Stack, service string, replicas uint64) (WriteBackResult, error) {
	if st == nil || len(st.Files) == 0 {
		return WriteBackResult{}, &Error{Msg: "no stack file to write to"}
	}
	svc, ok := st.Service(service)
	if !ok {
		e := &Error{Path: "services." + service, Msg: fmt.Sprintf("no service %q in the stack", service)}
		if len(st.Files) == 1 {
			e.File = st.Files[0]
		}
		return WriteBackResult{}, e
	}
	var ss sources
	for _, f := range st.Files {
		s, err := readSource(f)
		if err != nil {
			return WriteBackResult{}, err
		}
		ss = append(ss, s)
	}
	if svc.Mode == ModeGlobal || svc.Mode == ModeGlobalJob {
		return WriteBackResult{}, ss.errAtPath("services."+service+".deploy.mode", false, fmt.Sprintf(
			"service %q runs in %s mode: it has no replica count to write", service, svc.Mode), nil)
	}
	e, err := ss.replicasEdit(st, svc, replicas)
	if err != nil {
		return WriteBackResult{}, err
	}
	if e.res.Old == e.res.New {
		return e.res, nil // already written: leave the file (and its mtime) alone
	}
	out := e.apply()
	if e.res.Line, err = e.check(out, service); err != nil {
		return WriteBackResult{}, err
	}
	if err := replaceFile(e.src.abs, e.src.content, out); err != nil {
		return WriteBackResult{}, err
	}
	return e.res, nil
}

// replicasEdit decides which bytes to change: the value where a file sets
// replicas, else a key (or deploy: block) added where it belongs.
func (ss sources) replicasEdit(st *Stack, svc Service, n uint64) (edit, error) {
	keys := []string{"services", svc.Name, "deploy", "replicas"}
	if p, ok := ss.last(keys...); ok {
		return p.valueEdit(st, svc, n)
	}
	path := "services." + svc.Name
	anyFile := "" // which file changed is unknown when there are several
	if len(ss) == 1 {
		anyFile = ss[0].arg
	}
	if svc.Replicas != nil {
		return edit{}, staleError(anyFile, path+".deploy.replicas", "no file sets replicas any more")
	}
	if p, ok := ss.last(keys[:3]...); ok {
		return p.insertEdit(path+".deploy", false, n)
	}
	for _, s := range ss {
		if p, ok := s.resolve(keys[:2]...); ok {
			return p.insertEdit(path, true, n)
		}
	}
	return edit{}, staleError(anyFile, path, "no file declares the service any more")
}

// valueEdit replaces the number at p, after checking it is a literal that
// belongs to this service alone and still says what was loaded.
func (p place) valueEdit(st *Stack, svc Service, n uint64) (edit, error) {
	path := "services." + svc.Name + ".deploy.replicas"
	v, num := p.val, strconv.FormatUint(n, 10)
	if v.Kind != yaml.ScalarNode {
		return edit{}, p.errAt(path, "is not a number; change it by hand")
	}
	if strings.Contains(v.Value, "$") {
		return edit{}, p.variableError(st.WorkingDir, path)
	}
	old, err := strconv.ParseUint(v.Value, 10, 64)
	if err != nil {
		return edit{}, p.errAt(path, fmt.Sprintf("value %q is not a plain number; change it by hand", v.Value))
	}
	if svc.Replicas == nil || *svc.Replicas != old {
		e := p.errAt(path, staleMsg(fmt.Sprintf("it now says %d", old)))
		e.Err = ErrStale
		return edit{}, e
	}
	e := edit{src: p.src, res: WriteBackResult{File: p.src.abs, Line: v.Line, Old: v.Value, New: num}}
	if v.Value == num {
		return e, nil // nothing to write, so nothing to refuse
	}
	if err := p.checkNotShared(path, "writing it"); err != nil {
		return edit{}, err
	}
	if e.start = scalarStart(p.src.content, v); e.start < 0 {
		return edit{}, p.errAt(path, "cannot find the value's text; change it by hand")
	}
	e.end, e.text = e.start+len(v.Value), num
	return e, nil
}

// insertEdit adds "replicas: N" as the first entry of the mapping at p (a
// deploy: mapping), or, with newDeploy, a deploy: block holding it (p is
// the service's mapping). Block mappings get a new line indented like their
// other keys; flow mappings ({...}) get the entry after the brace.
func (p place) insertEdit(path string, newDeploy bool, n uint64) (edit, error) {
	num := strconv.FormatUint(n, 10)
	if p.val.Kind != yaml.MappingNode {
		return edit{}, p.errAt(path, fmt.Sprintf("is not a mapping; add replicas: %s by hand", num))
	}
	if err := p.checkNotShared(path, "adding replicas there"); err != nil {
		return edit{}, err
	}
	e := edit{src: p.src, res: WriteBackResult{File: p.src.abs, New: num, Added: true}}
	if p.val.Style&yaml.FlowStyle != 0 {
		entry := "replicas: " + num
		if newDeploy {
			entry = "deploy: {" + entry + "}"
		}
		e.start, e.text = flowInsert(p.src.content, p.val, entry)
	} else if l, ok := blockLayout(p.src.content, p.val); ok {
		pad := strings.Repeat(" ", l.indent)
		e.start, e.text = l.off, pad+"replicas: "+num+l.eol
		if newDeploy {
			e.text = pad + "deploy:" + l.eol + pad + strings.Repeat(" ", l.step) + "replicas: " + num + l.eol
		}
	} else {
		e.start = -1
	}
	if e.start < 0 {
		return edit{}, p.errAt(path, fmt.Sprintf("cannot see where to add replicas: %s; add it by hand", num))
	}
	e.end = e.start
	return e, nil
}

// edit replaces content[start:end] of one file with text.
type edit struct {
	src        *source
	start, end int
	text       string
	res        WriteBackResult
}

func (e edit) apply() []byte {
	out := slices.Clone(e.src.content[:e.start])
	out = append(out, e.text...)
	return append(out, e.src.content[e.end:]...)
}

// check parses the edited content and makes sure the service's replicas
// now resolve to the new value: a last guard against an edit in the wrong
// place. It returns the line of the value.
func (e edit) check(out []byte, service string) (int, error) {
	s := &source{arg: e.src.arg, abs: e.src.abs, content: out}
	if s.parse() == nil {
		if p, ok := s.resolve("services", service, "deploy", "replicas"); ok && p.val.Value == e.res.New {
			return p.val.Line, nil
		}
	}
	return 0, &Error{File: e.src.arg, Path: "services." + service + ".deploy.replicas",
		Msg: "cannot edit the file safely; change replicas by hand"}
}

// place is where a key path resolves in one file, with aliases and merge
// keys followed the way YAML does.
type place struct {
	src      *source
	doc      *yaml.Node
	key, val *yaml.Node   // val is dereferenced
	via      []*yaml.Node // the aliases followed on the way
}

// last resolves keys in every file and returns the last file's place: the
// value that wins the compose merge.
func (ss sources) last(keys ...string) (place, bool) {
	for i := len(ss) - 1; i >= 0; i-- {
		if p, ok := ss[i].resolve(keys...); ok {
			return p, true
		}
	}
	return place{}, false
}

// resolve follows keys from the top of the file; a later YAML document in
// the file wins over an earlier one.
func (s *source) resolve(keys ...string) (place, bool) {
	for i := len(s.docs) - 1; i >= 0; i-- {
		p := place{src: s, doc: s.docs[i], val: s.docs[i]}
		found := true
		for _, key := range keys {
			k, v, via := lookup(p.val, key)
			if v == nil {
				found = false
				break
			}
			p.via = append(p.via, via...)
			if v.Kind == yaml.AliasNode {
				p.via = append(p.via, v)
			}
			p.key, p.val = k, deref(v)
		}
		if found {
			return p, true
		}
	}
	return place{}, false
}

// lookup finds key in a mapping with YAML's merge rules: the mapping's own
// keys win, then the mappings merged in with "<<", earlier ones first. via
// are the aliases followed into merged mappings.
func lookup(m *yaml.Node, key string) (k, v *yaml.Node, via []*yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && key != "<<" {
			return m.Content[i], m.Content[i+1], nil
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "<<" {
			continue
		}
		for _, from := range mergeSources(m.Content[i+1]) {
			if k, v, via := lookup(deref(from), key); v != nil {
				if from.Kind == yaml.AliasNode {
					via = append([]*yaml.Node{from}, via...)
				}
				return k, v, via
			}
		}
	}
	return nil, nil, nil
}

// mergeSources are the mappings a "<<" value merges: one, or a list.
func mergeSources(v *yaml.Node) []*yaml.Node {
	if d := deref(v); d != nil && d.Kind == yaml.SequenceNode {
		return d.Content
	}
	return []*yaml.Node{v}
}

// checkNotShared refuses when something outside p's own path also reaches
// p.val: an alias to it or to a mapping holding it, such as another
// service merging the same anchor. Changing it would change that too.
func (p place) checkNotShared(path, doing string) error {
	holders := holding(p.doc, p.val)
	var err error
	walkAliases(p.doc, "", func(a *yaml.Node, at string) {
		if err == nil && slices.Contains(holders, a.Alias) && !slices.Contains(p.via, a) {
			err = p.errAt(path, fmt.Sprintf("the value is in anchor &%s, also used by %s (line %d): %s would change both",
				a.Value, strings.TrimSuffix(at, ".<<"), a.Line, doing))
		}
	})
	return err
}

// holding returns target and the nodes that contain it, in the file as
// written (aliases are not followed).
func holding(n, target *yaml.Node) []*yaml.Node {
	if n == target {
		return []*yaml.Node{n}
	}
	if n.Kind == yaml.AliasNode {
		return nil
	}
	for _, c := range n.Content {
		if h := holding(c, target); h != nil {
			return append(h, n)
		}
	}
	return nil
}

// walkAliases calls visit for every alias under n with its dotted path.
func walkAliases(n *yaml.Node, path string, visit func(a *yaml.Node, path string)) {
	switch n.Kind {
	case yaml.AliasNode:
		visit(n, path)
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkAliases(n.Content[i+1], joinPath(path, n.Content[i].Value), visit)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walkAliases(c, fmt.Sprintf("%s[%d]", path, i), visit)
		}
	}
}

// errAt reports msg at p: at the value, or at the key for a mapping (the
// key names it better than its first entry does).
func (p place) errAt(path, msg string) *Error {
	return errAt(hit{src: p.src, key: p.key, val: p.val}, p.val.Kind == yaml.MappingNode, path, msg)
}

// staleError refuses a write because a file changed after loading; file
// is "" when it is not known which of the files changed.
func staleError(file, path, detail string) *Error {
	return &Error{File: file, Path: path, Err: ErrStale, Msg: staleMsg(detail)}
}

func staleMsg(detail string) string {
	return "changed since the stack was loaded (" + detail + "); reload and try again"
}

// variableRE finds the first variable in a value, e.g. WEB_REPLICAS in
// ${WEB_REPLICAS:-2} or $WEB_REPLICAS.
var variableRE = regexp.MustCompile(`\$\{?([A-Za-z_][A-Za-z0-9_]*)`)

// variableError refuses to overwrite a variable reference with a number:
// the variable is what sets the count, so it names where to change it.
func (p place) variableError(wd, path string) *Error {
	raw := p.val.Value
	m := variableRE.FindStringSubmatch(strings.ReplaceAll(raw, "$$", ""))
	if m == nil {
		return p.errAt(path, fmt.Sprintf("value %q is not a plain number; change it by hand", raw))
	}
	name := m[1]
	envPath := filepath.Join(wd, ".env")
	where := fmt.Sprintf("set %s in the environment or in %s", name, displayPath(envPath))
	if line := envFileLine(envPath, name); line > 0 {
		where = fmt.Sprintf("change %s in %s:%d (a value set in the environment wins over it)", name, displayPath(envPath), line)
	}
	e := p.errAt(path, fmt.Sprintf("value %q comes from variable %s: %s", raw, name, where))
	e.Column = variableColumn(p.val, name)
	return e
}

// envFileLine is the line of the .env file that defines name, 0 if none.
func envFileLine(path, name string) int {
	vars, err := dotenv.Read(path)
	if _, ok := vars[name]; err != nil || !ok {
		return 0
	}
	content, _ := os.ReadFile(path)
	def := regexp.MustCompile(`^\s*(?:export\s+)?` + regexp.QuoteMeta(name) + `\s*[=:]`)
	for i, line := range strings.Split(string(content), "\n") {
		if def.MatchString(line) {
			return i + 1
		}
	}
	return 0
}

// lineStart is the byte offset where a 1-based line begins, -1 past the end.
func lineStart(content []byte, line int) int {
	off := 0
	for ; line > 1; line-- {
		i := bytes.IndexByte(content[off:], '\n')
		if i < 0 {
			return -1
		}
		off += i + 1
	}
	return off
}

// nodeOffset is the byte offset of a node's 1-based line and column; go-yaml
// counts columns in characters, not bytes.
func nodeOffset(content []byte, n *yaml.Node) int {
	off := lineStart(content, n.Line)
	if off < 0 {
		return -1
	}
	for col := 1; col < n.Column; col++ {
		if off >= len(content) || content[off] == '\n' {
			return -1
		}
		_, size := utf8.DecodeRune(content[off:])
		off += size
	}
	return off
}

// skipProperties skips an anchor (&a) or tag (!!int) and the blanks after
// it: go-yaml places a node at its properties, not at its text.
func skipProperties(content []byte, off int) int {
	for off < len(content) && (content[off] == '&' || content[off] == '!') {
		for off < len(content) && !isBlank(content[off]) {
			off++
		}
		for off < len(content) && isBlank(content[off]) {
			off++
		}
	}
	return off
}

func isBlank(b byte) bool { return b == ' ' || b == '\t' }

// scalarStart is the byte offset of a one-line scalar's text (inside its
// quotes), or -1 when the text there is not the node's value.
func scalarStart(content []byte, n *yaml.Node) int {
	off := nodeOffset(content, n)
	if off < 0 {
		return -1
	}
	off = skipProperties(content, off)
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		off++ // the opening quote
	}
	if off > len(content) || !bytes.HasPrefix(content[off:], []byte(n.Value)) {
		return -1
	}
	return off
}

// flowInsert returns where and what to insert to make entry the first
// entry of a flow mapping, or -1.
func flowInsert(content []byte, m *yaml.Node, entry string) (int, string) {
	off := nodeOffset(content, m)
	if off < 0 {
		return -1, ""
	}
	if off = skipProperties(content, off); off >= len(content) || content[off] != '{' {
		return -1, ""
	}
	if len(m.Content) == 0 {
		return off + 1, entry
	}
	return nodeOffset(content, m.Content[0]), entry + ", "
}

// layout is where a new first line goes in a block mapping and how it is
// indented.
type layout struct {
	off    int    // start of the line after the mapping's parent key
	indent int    // the mapping's key column, in spaces
	step   int    // how much deeper the file indents a nested mapping
	eol    string // "\n" or "\r\n", as the file writes them
}

// blockLayout puts a new entry right after the line of the mapping's parent
// key (e.g. "    deploy:"), so comments above the first key stay with it.
func blockLayout(content []byte, m *yaml.Node) (layout, bool) {
	if len(m.Content) == 0 {
		return layout{}, false
	}
	first := m.Content[0]
	keyOff := nodeOffset(content, first)
	lineOff := lineStart(content, first.Line)
	if keyOff < 0 || strings.Trim(string(content[lineOff:keyOff]), " ") != "" {
		return layout{}, false // not the first thing on its line, e.g. "- key:"
	}
	// The parent key's line: the nearest line above that is not blank or
	// a comment.
	lines := bytes.SplitAfter(content[:lineOff], []byte("\n"))
	i := len(lines) - 1
	for ; i >= 0; i-- {
		if t := bytes.TrimSpace(lines[i]); len(t) > 0 && t[0] != '#' {
			break
		}
	}
	if i < 0 {
		return layout{}, false
	}
	l := layout{indent: keyOff - lineOff, eol: "\n"}
	for _, line := range lines[:i+1] {
		l.off += len(line)
	}
	if bytes.HasSuffix(lines[i], []byte("\r\n")) {
		l.eol = "\r\n"
	}
	l.step = l.indent - (len(lines[i]) - len(bytes.TrimLeft(lines[i], " ")))
	if l.step <= 0 {
		l.step = 2
	}
	return l, true
}

// replaceFile atomically replaces path (or the file a symlink at path
// points to) with data, keeping its mode. It refuses when the file no
// longer holds old, to not clobber a concurrent edit; an edit landing
// between that last look and the rename is still lost, as with any editor.
func replaceFile(path string, old, data []byte) error {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return &Error{File: path, Msg: "cannot write: " + pathErrReason(err), Err: err}
	}
	info, err := os.Stat(real)
	if err != nil {
		return &Error{File: path, Msg: "cannot write: " + pathErrReason(err), Err: err}
	}
	tmp, err := writeTemp(real, data, info.Mode().Perm())
	if err != nil {
		return &Error{File: path, Msg: "cannot write: " + pathErrReason(err), Err: err}
	}
	if cur, err := os.ReadFile(real); err != nil || !bytes.Equal(cur, old) {
		os.Remove(tmp)
		return staleError(path, "", "during the write")
	}
	if err := os.Rename(tmp, real); err != nil {
		os.Remove(tmp)
		return &Error{File: path, Msg: "cannot write: " + pathErrReason(err), Err: err}
	}
	syncDir(filepath.Dir(real))
	return nil
}

// writeTemp writes data to a new file beside path (same directory, so the
// rename is atomic) and flushes it to disk. It returns the temp file's name.
func writeTemp(path string, data []byte, mode os.FileMode) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// syncDir makes the rename durable. It is best effort: the new content is
// already in place, and some systems cannot sync a directory.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
