package stackfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// Error is bad input in a stack file (or in the options), reported as one
// line such as
//
//	stack.yml:14:7: services.web.deploy.replicaz: unknown key "replicaz"
//
// The CLI exits with status 2 on it.
type Error struct {
	// File is the file at fault as the caller named it (or absolute for
	// files found by reference, such as env_file); empty when unknown.
	File string
	// Line and Column are 1-based; 0 when unknown.
	Line, Column int
	// Path is the dotted path of the offending key, e.g.
	// "services.web.deploy.replicas", or the option name ("--stack").
	Path string
	// Msg says what is wrong, without the location.
	Msg string
	// Err is the underlying error, if any.
	Err error
}

// Error formats file:line:column: path: message on one line. The file is
// shown relative to the current directory when that is shorter.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.location())
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return oneLine(b.String())
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// location is "file:line:column" (or less when unknown).
func (e *Error) location() string {
	loc := displayPath(e.File)
	if e.Line > 0 {
		loc += fmt.Sprintf(":%d", e.Line)
		if e.Column > 0 {
			loc += fmt.Sprintf(":%d", e.Column)
		}
	}
	return loc
}

func displayPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, abs); err == nil && len(rel) < len(p) {
		return rel
	}
	return p
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Patterns of compose-go error messages (v2.16.2) that carry a dotted path.
var (
	validatingRE   = regexp.MustCompile(`^validating (.+?): (\S*) ?(.*)$`)
	interpolateRE  = regexp.MustCompile(`^error while interpolating (\S+): (.*)$`)
	interpFormatRE = regexp.MustCompile(`^invalid interpolation format for (\S+?)\.?$`)
	decodeRE       = regexp.MustCompile(`^'(\S+)' (.*)$`)
	pathMsgRE      = regexp.MustCompile(`^((?:services|networks|volumes|secrets|configs|name)(?:\.\S+?)?):? (.*)$`)
	anyPathRE      = regexp.MustCompile(`\b(?:services|networks|volumes|secrets|configs)\.[^\s:]+`)
	additionalRE   = regexp.MustCompile(`^additional properties '([^']+)'`)
	requiredVarRE  = regexp.MustCompile(`^required variable (\S+) is missing a value(?:: (.*))?$`)
	quotedRE       = regexp.MustCompile(`parsing "([^"]*)"`)
	envFileRE      = regexp.MustCompile(`^failed to read (.+?): line (\d+): (.*)$`)
)

// mapLoadError turns an error from compose-go into one *Error, finding the
// file and line from the dotted path in the message. Only the first of
// several joined errors is kept: one clear line beats a wall of text.
func (ss sources) mapLoadError(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	msg := firstError(err.Error())
	if m := validatingRE.FindStringSubmatch(msg); m != nil {
		return ss.schemaError(m[1], m[2], m[3])
	}
	if m := interpolateRE.FindStringSubmatch(msg); m != nil {
		return ss.interpolationError(m[1], m[2])
	}
	if m := interpFormatRE.FindStringSubmatch(msg); m != nil {
		return ss.errAtPath(m[1], false, `invalid interpolation format (write a literal "$" as "$$")`, scalarContains("$"))
	}
	if m := decodeRE.FindStringSubmatch(msg); m != nil {
		path := strings.NewReplacer("[", ".", "]", "").Replace(m[1])
		return ss.valueError(path, m[2])
	}
	if m := envFileRE.FindStringSubmatch(msg); m != nil {
		return &Error{File: m[1], Line: atoi(m[2]), Msg: m[3], Err: err}
	}
	if isPortError(msg) {
		if e := ss.findBadPort(); e != nil {
			return e
		}
	}
	if m := pathMsgRE.FindStringSubmatch(msg); m != nil {
		path, text := m[1], m[2]
		if strings.HasPrefix(text, "one of ") && strings.HasSuffix(text, " must be set") {
			return ss.errAtPath(path, true, fileObjectNeeds(path), nil)
		}
		return ss.errAtPath(path, false, text, nil)
	}
	// Some other message naming a path somewhere: keep the message, add
	// the position.
	msg = strings.TrimSuffix(msg, ": invalid compose project")
	if path := anyPathRE.FindString(msg); path != "" {
		e := ss.errAtPath(path, false, msg, nil)
		e.Path = ""
		return e
	}
	e = &Error{Msg: msg, Err: err}
	if len(ss) == 1 {
		e.File = ss[0].arg
	}
	return e
}

// firstError keeps the first error of a joined (newline-separated) list;
// for mapstructure's "decoding failed due to the following error(s):"
// header it keeps the first listed error.
func firstError(msg string) string {
	for _, line := range strings.Split(msg, "\n") {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasSuffix(line, "the following error(s):") {
			return line
		}
	}
	return msg
}

// schemaError maps "validating FILE: PATH MESSAGE". The file named is the
// one whose merge failed validation, so the path is looked up there first.
func (ss sources) schemaError(file, path, msg string) error {
	atKey := false
	if m := additionalRE.FindStringSubmatch(msg); m != nil {
		path = joinPath(path, m[1])
		msg, atKey = unknownKeyMsg(path), true
	} else if msg == "false schema" {
		msg, atKey = unknownKeyMsg(path), true
	} else {
		// jsonschema's wording, made readable. "must be a null" is what a
		// wrong type in a "null or ..." field reports.
		msg = strings.NewReplacer("must be a array", "must be a list", "must be a integer", "must be an integer",
			"must be a object", "must be a mapping", "value must be", "must be", "must be a null", "has the wrong type").Replace(msg)
	}
	if src := ss.byAbs(file); src != nil {
		if hits := src.find(path); len(hits) > 0 {
			return errAt(hits[0], atKey, path, msg)
		}
	}
	return ss.errAtPath(path, atKey, msg, nil)
}

// interpolationError maps "error while interpolating PATH: MESSAGE". Files
// are interpolated one by one, so the first file using a variable at that
// path is the one that failed.
func (ss sources) interpolationError(path, msg string) error {
	if m := requiredVarRE.FindStringSubmatch(msg); m != nil {
		name, reason := m[1], m[2]
		text := fmt.Sprintf("required variable %s is not set", name)
		if reason != "" {
			text += " (" + reason + ")"
		}
		if h, ok := ss.locate(path, usesVariable(name)); ok {
			e := errAt(h, false, path, text)
			e.Column = variableColumn(h.val, name)
			return e
		}
		return ss.errAtPath(path, false, text, nil)
	}
	if cast, ok := strings.CutPrefix(msg, "failed to cast to expected type: "); ok {
		return ss.valueError(path, cast)
	}
	return ss.errAtPath(path, false, msg, scalarContains("$"))
}

// usesVariable is a prefer func for scalars that reference $NAME or ${NAME...}.
func usesVariable(name string) func(hit) bool {
	return func(h hit) bool {
		return h.val != nil && variableIndex(h.val.Value, name) >= 0
	}
}

func variableIndex(s, name string) int {
	re := regexp.MustCompile(`\$(\{` + regexp.QuoteMeta(name) + `\b|` + regexp.QuoteMeta(name) + `\b)`)
	if loc := re.FindStringIndex(s); loc != nil {
		return loc[0]
	}
	return -1
}

// variableColumn points at the variable inside a one-line scalar.
func variableColumn(n *yaml.Node, name string) int {
	idx := variableIndex(n.Value, name)
	if idx < 0 || strings.Contains(n.Value, "\n") {
		return n.Column
	}
	switch n.Style {
	case 0, yaml.TaggedStyle:
		return n.Column + idx
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		return n.Column + 1 + idx
	}
	return n.Column
}

// valueError reports a value that could not be converted, with a message
// an operator can act on instead of Go's strconv/time wording.
func (ss sources) valueError(path, msg string) error {
	// The value is quoted in strconv errors; it may differ from the file's
	// text when it came from a variable.
	var prefer func(hit) bool
	value := ""
	if m := quotedRE.FindStringSubmatch(msg); m != nil {
		value = m[1]
		prefer = func(h hit) bool { return h.val != nil && h.val.Value == value }
	}
	if h, ok := ss.locate(path, prefer); ok && value == "" && h.val.Kind == yaml.ScalarNode {
		value = h.val.Value
	}
	return ss.errAtPath(path, false, friendlyValueMsg(msg, value), prefer)
}

func friendlyValueMsg(msg, value string) string {
	switch {
	case strings.Contains(msg, "time: "):
		return fmt.Sprintf("invalid duration %q (use e.g. 10s, 1m30s, 500ms)", value)
	case strings.Contains(msg, "invalid suffix") || strings.Contains(msg, "invalid size"):
		return fmt.Sprintf("invalid size %q (use e.g. 512M, 1G)", value)
	case strings.Contains(msg, "strconv.Atoi") || strings.Contains(msg, "strconv.ParseInt"):
		return fmt.Sprintf("expected an integer, got %q", value)
	case strings.Contains(msg, "strconv.ParseFloat"):
		return fmt.Sprintf("expected a number, got %q", value)
	case strings.Contains(msg, "invalid boolean"):
		return fmt.Sprintf("expected true or false, got %q", value)
	case strings.Contains(msg, "overflows uint"):
		return fmt.Sprintf("must be 0 or more, got %s", value)
	}
	return msg
}

// unknownKeyMsg names an unknown key and, when a known key is one or two
// typos away, suggests it.
func unknownKeyMsg(path string) string {
	key := path[strings.LastIndex(path, ".")+1:]
	msg := fmt.Sprintf("unknown key %q", key)
	if s := suggestKey(path); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// fileObjectNeeds says where a secret's or config's data can come from.
func fileObjectNeeds(path string) string {
	if strings.HasPrefix(path, "configs.") {
		return "needs file:, content:, environment: or external: true"
	}
	return "needs file:, environment:, driver: or external: true"
}
