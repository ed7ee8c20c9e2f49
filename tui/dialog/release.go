package dialog

import (
	"errors"
	"regexp"
	"strings"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/ops"
	"github.com/swarmtop/swarmtop/tui/render"
)

// tagPattern is the grammar of an image tag.
var tagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// NewRelease asks for the tag to move the whole stack to, prefilled with
// the tag most of its services run; enter leads to the confirmation
// listing the services that move and those left alone.
func NewRelease(c *common.Common, stack string, services []swarm.Service) (*Input, error) {
	from := render.MajorityTag(services)
	if from == "" {
		return nil, errors.New("no tag most services share; give both with the CLI: swarmtop release --from")
	}
	in := newInput(c, "Release stack "+stack+" (now on tag "+from+")", "new tag · enter next · esc cancel", from)
	in.build = func(v string) (ops.Op, error) { return ReleaseOp(stack, services, from, v) }
	return in, nil
}

// ReleaseOp is the release of services from tag from to tag to, with the
// preview the confirmation shows.
func ReleaseOp(stack string, services []swarm.Service, from, to string) (ops.Op, error) {
	to = strings.TrimSpace(to)
	op := ops.Op{Kind: ops.Release, Stack: stack, FullName: stack, From: from, To: to}
	switch {
	case !tagPattern.MatchString(to):
		return op, errors.New("give a tag, e.g. 1.4.3 (letters, digits, . _ -)")
	case to == from:
		return op, errors.New("the stack is on tag " + from + " already")
	}
	lines, moving := render.ReleaseLines(services, from, to)
	if moving == 0 {
		return op, errors.New("no service runs tag " + from)
	}
	op.Preview = strings.Join(lines, "\n")
	return op, nil
}
