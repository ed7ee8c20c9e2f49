// Package cmdline is the `:` command line: parsing and completion are pure
// functions; the model only edits text and hands a Command to the root.
package cmdline

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Command is one parsed command line.
type Command struct {
	Verb string   // stacks, stack, nodes, activity, logs, scale, restart, rollback, image, diff, deploy, release, quit
	Args []string // service (and value) or stack name
}

// verb describes a command: its spellings and what its arguments are.
type verb struct {
	name    string
	aliases []string
	args    string // "" none, "service", "service+value", "services", "stack"
	usage   string
}

var verbs = []verb{
	{name: "stacks", usage: ":stacks"},
	{name: "stack", args: "stack", usage: ":stack NAME"},
	{name: "nodes", aliases: []string{"no"}, usage: ":nodes"},
	{name: "activity", aliases: []string{"act"}, usage: ":activity"},
	{name: "logs", args: "services", usage: ":logs [SERVICE...]"},
	{name: "scale", args: "service+value", usage: ":scale SERVICE N"},
	{name: "restart", args: "service", usage: ":restart SERVICE"},
	{name: "rollback", args: "service", usage: ":rollback SERVICE"},
	{name: "image", args: "service+value", usage: ":image SERVICE IMAGE"},
	{name: "diff", usage: ":diff"},
	{name: "deploy", usage: ":deploy"},
	{name: "release", args: "tag", usage: ":release [TAG]"},
	{name: "quit", aliases: []string{"q", "q!"}, usage: ":quit"},
}

func lookup(word string) (verb, bool) {
	for _, v := range verbs {
		if v.name == word || slices.Contains(v.aliases, word) {
			return v, true
		}
	}
	return verb{}, false
}

// Parse reads a command line (without the colon).
func Parse(line string) (Command, error) {
	fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), ":"))
	if len(fields) == 0 {
		return Command{}, errors.New("empty command")
	}
	v, ok := lookup(fields[0])
	if !ok {
		return Command{}, fmt.Errorf("unknown command %q (try :stacks :nodes :activity :logs :scale :restart :rollback :image :diff :deploy :release :quit)", fields[0])
	}
	args := fields[1:]
	if !argsFit(v.args, len(args)) {
		return Command{}, errors.New("usage: " + v.usage)
	}
	return Command{Verb: v.name, Args: args}, nil
}

func argsFit(kind string, n int) bool {
	switch kind {
	case "":
		return n == 0
	case "service", "stack":
		return n == 1
	case "service+value":
		return n == 2
	case "tag":
		return n <= 1
	}
	return true // services: any number
}

// Complete lists the completions of the line's last word: verbs first,
// then service or stack names where the verb takes them.
func Complete(line string, services, stacks []string) []string {
	fields := strings.Fields(line)
	if len(fields) == 0 || (len(fields) == 1 && !strings.HasSuffix(line, " ")) {
		prefix := ""
		if len(fields) == 1 {
			prefix = fields[0]
		}
		var out []string
		for _, v := range verbs {
			if strings.HasPrefix(v.name, prefix) {
				out = append(out, v.name)
			}
		}
		return out
	}
	v, ok := lookup(fields[0])
	if !ok {
		return nil
	}
	argN := len(fields) - 1 // index of the word being completed among args
	word := ""
	if !strings.HasSuffix(line, " ") {
		word = fields[len(fields)-1]
		argN--
	}
	var pool []string
	switch {
	case v.args == "stack" && argN == 0:
		pool = stacks
	case v.args == "services", (v.args == "service" || v.args == "service+value") && argN == 0:
		pool = services
	}
	var out []string
	for _, name := range pool {
		if strings.HasPrefix(name, word) {
			out = append(out, name)
		}
	}
	return out
}

// Apply puts a completion in place of the line's last word.
func Apply(line, completion string) string {
	if strings.HasSuffix(line, " ") || line == "" {
		return line + completion + " "
	}
	i := strings.LastIndexByte(line, ' ')
	return line[:i+1] + completion + " "
}

// commonPrefix is the longest prefix the candidates share.
func commonPrefix(cands []string) string {
	if len(cands) == 0 {
		return ""
	}
	p := cands[0]
	for _, c := range cands[1:] {
		for !strings.HasPrefix(c, p) {
			p = p[:len(p)-1]
		}
	}
	return p
}
