package swarm

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/swarm"
)

// SkippedService is a service Release left alone, and why.
type SkippedService struct {
	Service string // short name
	Image   string
	Reason  string
}

// Release moves a stack from one release tag to the next in one step: every
// service whose image carries oldTag gets the same image with newTag (teams
// tag all images of a release alike). oldTag "" means the tag most of the
// stack's services share. Services on other tags (memcached:1.6-alpine) are
// returned as skipped. On a write error the changes already made are
// returned with it.
func (e *Engine) Release(ctx context.Context, stack, newTag, oldTag string) ([]Change, []SkippedService, error) {
	if err := e.refuseWrite(ActionRelease); err != nil {
		return nil, nil, err
	}
	for _, tag := range []string{newTag, oldTag} {
		if tag != "" && !imageTagPattern.MatchString(tag) {
			return nil, nil, &RefusedError{Service: "stack " + stack, Action: "release", Reason: fmt.Sprintf("%q is not a valid image tag", tag)}
		}
	}
	services, err := e.StackServices(ctx, stack)
	if err != nil {
		return nil, nil, err
	}
	if len(services) == 0 {
		return nil, nil, &ServiceNotFoundError{Stack: stack}
	}
	if oldTag == "" {
		if oldTag, err = majorityTag(stack, services); err != nil {
			return nil, nil, err
		}
	}
	if oldTag == newTag {
		return nil, nil, &RefusedError{Service: "stack " + stack, Action: "release", Reason: "it is already on tag " + newTag}
	}
	movers, skipped := planRelease(stack, services, oldTag)
	if len(movers) == 0 {
		return nil, skipped, &RefusedError{Service: "stack " + stack, Action: "release", Reason: fmt.Sprintf("no service runs tag %q", oldTag)}
	}
	var changes []Change
	for _, svc := range movers {
		name := ShortName(stack, svc.Spec.Name)
		mutate := func(spec *swarm.ServiceSpec) error { return retagSpec(spec, oldTag, newTag) }
		change, err := e.updateService(ctx, svc.ID, mutate, describedBy(ActionRelease, imageText))
		if err != nil {
			return changes, skipped, actError("release", name, err)
		}
		changes = append(changes, change)
	}
	return changes, skipped, nil
}

// imageTagPattern is the grammar of an image tag.
var imageTagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)

// planRelease splits a stack's services into those on oldTag and the rest.
func planRelease(stack string, services []swarm.Service, oldTag string) (movers []swarm.Service, skipped []SkippedService) {
	for _, svc := range services {
		image := imageText(svc.Spec)
		switch tag := tagOfImage(image); {
		case svc.Spec.TaskTemplate.ContainerSpec == nil:
			continue
		case tag == oldTag:
			movers = append(movers, svc)
		case tag == "":
			skipped = append(skipped, SkippedService{ShortName(stack, svc.Spec.Name), image, "its image has no tag"})
		default:
			skipped = append(skipped, SkippedService{ShortName(stack, svc.Spec.Name), image, fmt.Sprintf("on tag %s, not %s", tag, oldTag)})
		}
	}
	return movers, skipped
}

// majorityTag is the tag most services of the stack run. A tie has no
// answer: the user must name the old tag.
func majorityTag(stack string, services []swarm.Service) (string, error) {
	byTag := map[string][]string{}
	for _, svc := range services {
		if tag := tagOfImage(imageText(svc.Spec)); tag != "" {
			byTag[tag] = append(byTag[tag], ShortName(stack, svc.Spec.Name))
		}
	}
	tags := make([]string, 0, len(byTag))
	for tag := range byTag {
		tags = append(tags, tag)
	}
	sort.Slice(tags, func(i, j int) bool {
		if len(byTag[tags[i]]) != len(byTag[tags[j]]) {
			return len(byTag[tags[i]]) > len(byTag[tags[j]])
		}
		return tags[i] < tags[j]
	})
	switch {
	case len(tags) == 0:
		return "", &RefusedError{Service: "stack " + stack, Action: "release", Reason: "none of its images has a tag"}
	case len(tags) > 1 && len(byTag[tags[0]]) == len(byTag[tags[1]]):
		var groups []string
		for _, tag := range tags {
			groups = append(groups, tag+": "+strings.Join(byTag[tag], ", "))
		}
		return "", &RefusedError{Service: "stack " + stack, Action: "release",
			Reason: "its services share no majority tag (" + strings.Join(groups, "; ") + "); name the old tag with --from"}
	}
	return tags[0], nil
}

// retagSpec moves the image, and the stack's image label, from oldTag to
// newTag. It runs again on every retry, so it checks the tag afresh: a
// concurrent writer may have moved the service already.
func retagSpec(spec *swarm.ServiceSpec, oldTag, newTag string) error {
	image := spec.TaskTemplate.ContainerSpec.Image
	switch tag := tagOfImage(image); tag {
	case newTag:
		return errNothingToChange
	case oldTag:
	default:
		return fmt.Errorf("its image changed to %s meanwhile; nothing written", image)
	}
	label, hasLabel := spec.Labels[ImageLabel]
	setServiceImage(spec, withTag(image, newTag))
	if hasLabel {
		// Keep the label's own spelling (as the stack file wrote it).
		spec.Labels[ImageLabel] = withTag(label, newTag)
	}
	return nil
}

// tagOfImage is the tag of an image reference, "" when it has none:
// "registry:5000/shop/web:42@sha256:…" → "42".
func tagOfImage(image string) string {
	name, _, _ := strings.Cut(image, "@")
	i := strings.LastIndex(name, ":")
	if i < 0 || strings.Contains(name[i:], "/") {
		return ""
	}
	return name[i+1:]
}

// withTag replaces an image's tag and drops a pinned digest, which belongs to
// the old tag: "shop/web:41@sha256:…" → "shop/web:42".
func withTag(image, tag string) string {
	name, _, _ := strings.Cut(image, "@")
	if old := tagOfImage(name); old != "" {
		name = strings.TrimSuffix(name, ":"+old)
	}
	return name + ":" + tag
}

// checkImageRef checks an image reference the way the engine will.
func checkImageRef(image string) error {
	if _, err := reference.ParseNormalizedNamed(image); err != nil {
		return fmt.Errorf("%q is not a valid image reference: %v", image, err)
	}
	return nil
}
