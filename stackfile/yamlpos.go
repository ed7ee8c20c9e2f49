package stackfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// source is one stack file with its YAML node trees. compose-go's errors
// rarely carry positions, so we parse each file ourselves (with the same
// YAML library compose-go uses) to find lines by dotted path.
type source struct {
	arg     string // the path as the caller gave it
	abs     string
	content []byte
	docs    []*yaml.Node // the top-level mapping of each YAML document
}

// sources are the stack files in load order.
type sources []*source

// hit is a node found at a dotted path in one file.
type hit struct {
	src *source
	key *yaml.Node // the mapping key; the item itself inside a sequence
	val *yaml.Node
}

// readSource reads and parses one stack file, reporting the usual ways a
// path on the command line can be wrong.
func readSource(arg string) (*source, error) {
	abs, err := filepath.Abs(arg)
	if err != nil {
		return nil, &Error{File: arg, Msg: err.Error(), Err: err}
	}
	info, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &Error{File: arg, Msg: "no such file", Err: err}
	case err != nil:
		return nil, &Error{File: arg, Msg: "cannot read: " + pathErrReason(err), Err: err}
	case info.IsDir():
		return nil, &Error{File: arg, Msg: "is a directory, not a stack file"}
	}
	content, err := os.ReadFile(abs)
	if err != nil {
		return nil, &Error{File: arg, Msg: "cannot read: " + pathErrReason(err), Err: err}
	}
	src := &source{arg: arg, abs: abs, content: content}
	if err := src.parse(); err != nil {
		return nil, err
	}
	return src, nil
}

// pathErrReason drops the path from an *fs.PathError: the file is already
// named in front of the message.
func pathErrReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// parse fills docs, rejecting YAML syntax errors, duplicate keys, a
// non-mapping top level and files with no content.
func (s *source) parse() error {
	dec := yaml.NewDecoder(bytes.NewReader(s.content))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return s.syntaxError(err)
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
			continue // an empty document, e.g. a lone "---"
		}
		if root.Kind != yaml.MappingNode {
			return &Error{File: s.arg, Line: root.Line, Column: root.Column,
				Msg: "the top level must be a mapping (services:, networks:, ...)"}
		}
		if err := s.checkDuplicates(root, ""); err != nil {
			return err
		}
		s.docs = append(s.docs, root)
	}
	if len(s.docs) == 0 {
		return &Error{File: s.arg, Msg: "file is empty"}
	}
	return nil
}

// syntaxError turns a go-yaml parse error into file:line:column form.
// go-yaml's error types are internal, so their exported fields (Message,
// Mark, ContextMessage, ContextMark) are read by reflection.
func (s *source) syntaxError(err error) error {
	e := &Error{File: s.arg, Msg: "invalid YAML: " + strings.TrimPrefix(err.Error(), "yaml: "), Err: err}
	v := reflect.Indirect(reflect.ValueOf(err))
	if v.Kind() != reflect.Struct || !v.FieldByName("Message").IsValid() || !v.FieldByName("Mark").IsValid() {
		return e
	}
	e.Line, e.Column = s.markPos(v.FieldByName("Mark"))
	e.Msg = "invalid YAML: " + v.FieldByName("Message").String()
	if ctx := v.FieldByName("ContextMessage"); ctx.IsValid() && ctx.String() != "" {
		line, col := s.markPos(v.FieldByName("ContextMark"))
		if line != e.Line || col != e.Column {
			e.Msg += fmt.Sprintf(" (%s at line %d, column %d)", ctx.String(), line, col)
		} else {
			e.Msg += " (" + ctx.String() + ")"
		}
	}
	if s.lineStartsWithTab(e.Line) {
		e.Msg += "; indent with spaces, not tabs"
	}
	return e
}

// markPos converts a go-yaml Mark to a 1-based line and column. It uses
// the mark's character index when set: go-yaml v4.0.0-rc.4 reports parser
// errors with 0-based lines but scanner errors with 1-based ones.
func (s *source) markPos(m reflect.Value) (line, col int) {
	if !m.IsValid() || m.Kind() != reflect.Struct {
		return 0, 0
	}
	if idx := intField(m, "Index"); idx > 0 {
		line, col = 1, 1
		for i, r := range []rune(string(s.content)) {
			if i == idx {
				break
			}
			if col++; r == '\n' {
				line, col = line+1, 1
			}
		}
		return line, col
	}
	return intField(m, "Line"), intField(m, "Column") + 1
}

func intField(v reflect.Value, name string) int {
	if f := v.FieldByName(name); f.IsValid() && f.CanInt() {
		return int(f.Int())
	}
	return 0
}

func (s *source) lineStartsWithTab(line int) bool {
	lines := bytes.Split(s.content, []byte("\n"))
	return line > 0 && line <= len(lines) && bytes.HasPrefix(bytes.TrimLeft(lines[line-1], " "), []byte("\t"))
}

// checkDuplicates rejects a key defined twice in one mapping. go-yaml only
// notices when decoding into a map, which compose-go does later without
// naming the file.
func (s *source) checkDuplicates(n *yaml.Node, path string) error {
	switch n.Kind {
	case yaml.MappingNode:
		seen := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := joinPath(path, k.Value)
			if first, dup := seen[k.Value]; dup && k.Value != "<<" {
				return &Error{File: s.arg, Line: k.Line, Column: k.Column, Path: p,
					Msg: fmt.Sprintf("duplicate key %q (first defined at line %d)", k.Value, first.Line)}
			}
			seen[k.Value] = k
			if err := s.checkDuplicates(v, p); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			if err := s.checkDuplicates(item, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// find returns the nodes at a dotted path in this file. Path segments are
// mapping keys (keys may themselves contain dots), "*" for any key, and
// "[]", "[N]" or "N" for sequence items. Aliases and merge keys (<<) are
// followed, so a key inherited from an anchor is found where the anchor
// defines it.
func (s *source) find(path string) []hit {
	var hits []hit
	for _, doc := range s.docs {
		walkPath(doc, doc, path, func(k, v *yaml.Node) {
			hits = append(hits, hit{src: s, key: k, val: v})
		})
	}
	return hits
}

func walkPath(key, n *yaml.Node, rest string, visit func(k, v *yaml.Node)) {
	n = deref(n)
	if rest == "" {
		visit(key, n)
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		seg, after, _ := strings.Cut(rest, ".")
		for _, kv := range mappingPairs(n) {
			k := kv[0].Value
			switch {
			case seg == "*":
				walkPath(kv[0], kv[1], after, visit)
			case rest == k:
				walkPath(kv[0], kv[1], "", visit)
			case strings.HasPrefix(rest, k+"."):
				walkPath(kv[0], kv[1], rest[len(k)+1:], visit)
			}
		}
	case yaml.SequenceNode:
		seg, after, _ := strings.Cut(rest, ".")
		idx := strings.TrimSuffix(strings.TrimPrefix(seg, "["), "]")
		for i, item := range n.Content {
			if idx == "" || idx == "*" || idx == strconv.Itoa(i) {
				walkPath(item, item, after, visit)
			}
		}
	}
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// mappingPairs returns a mapping's key/value pairs, with the pairs merged in
// through "<<" after the mapping's own keys (which win).
func mappingPairs(n *yaml.Node) [][2]*yaml.Node {
	var own, merged [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value != "<<" {
			own = append(own, [2]*yaml.Node{k, v})
			continue
		}
		for _, m := range mergeSources(v) {
			if m = deref(m); m != nil && m.Kind == yaml.MappingNode {
				merged = append(merged, mappingPairs(m)...)
			}
		}
	}
	return append(own, merged...)
}

// find returns the nodes at path in every file, in file order.
func (ss sources) find(path string) []hit {
	var hits []hit
	for _, s := range ss {
		hits = append(hits, s.find(path)...)
	}
	return hits
}

// locate picks where to report a problem at path: the first hit accepted by
// prefer, else the last hit (the value in effect after merging).
func (ss sources) locate(path string, prefer func(hit) bool) (hit, bool) {
	hits := ss.find(path)
	if len(hits) == 0 {
		return hit{}, false
	}
	if prefer != nil {
		for _, h := range hits {
			if prefer(h) {
				return h, true
			}
		}
	}
	return hits[len(hits)-1], true
}

// byAbs returns the file with the given absolute path, or nil.
func (ss sources) byAbs(abs string) *source {
	for _, s := range ss {
		if s.abs == abs {
			return s
		}
	}
	return nil
}

// errAt builds an error pointing at a hit: at the key for problems with
// the key itself, at the value otherwise.
func errAt(h hit, atKey bool, path, msg string) *Error {
	n := h.val
	if atKey || n == nil {
		n = h.key
	}
	return &Error{File: h.src.arg, Line: n.Line, Column: n.Column, Path: path, Msg: msg}
}

// errAtPath reports msg at path in whichever file declares it, or without
// a position when no file does.
func (ss sources) errAtPath(path string, atKey bool, msg string, prefer func(hit) bool) *Error {
	if h, ok := ss.locate(path, prefer); ok {
		return errAt(h, atKey, path, msg)
	}
	e := &Error{Path: path, Msg: msg}
	if len(ss) == 1 {
		e.File = ss[0].arg
	}
	return e
}

// scalarContains is a prefer func for hits whose scalar value contains sub.
func scalarContains(sub string) func(hit) bool {
	return func(h hit) bool {
		return h.val != nil && h.val.Kind == yaml.ScalarNode && strings.Contains(h.val.Value, sub)
	}
}
