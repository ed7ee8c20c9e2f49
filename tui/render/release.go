package render

import (
	"fmt"
	"sort"
	"strings"

	"github.com/swarmtop/swarmtop/swarm"
)

// TagOf is an image's tag, "" when it has none: "shop/web:42@sha256:…" → "42".
func TagOf(image string) string {
	name, _, _ := strings.Cut(image, "@")
	i := strings.LastIndex(name, ":")
	if i < 0 || strings.Contains(name[i:], "/") {
		return ""
	}
	return name[i+1:]
}

// MajorityTag is the tag most of the services run, "" on a tie or none.
func MajorityTag(services []swarm.Service) string {
	count := map[string]int{}
	for _, s := range services {
		if tag := TagOf(s.Image); tag != "" {
			count[tag]++
		}
	}
	tags := make([]string, 0, len(count))
	for t := range count {
		tags = append(tags, t)
	}
	sort.Slice(tags, func(i, j int) bool { return count[tags[i]] > count[tags[j]] })
	if len(tags) == 0 || (len(tags) > 1 && count[tags[0]] == count[tags[1]]) {
		return ""
	}
	return tags[0]
}

// ReleaseLines previews a release from oldTag to newTag: the services
// that move (old → new image) and those left alone, and how many move.
func ReleaseLines(services []swarm.Service, oldTag, newTag string) (lines []string, moving int) {
	var skipped []string
	for _, s := range services {
		image := Clean(s.Image)
		switch tag := TagOf(image); tag {
		case oldTag:
			moving++
			newImage := strings.TrimSuffix(image, ":"+tag) + ":" + newTag
			lines = append(lines, fmt.Sprintf("  %s  %s → %s", Clean(s.Name), ImageTag(image), ImageTag(newImage)))
		default:
			skipped = append(skipped, fmt.Sprintf("  skip %s  %s", Clean(s.Name), ImageTag(image)))
		}
	}
	return append(lines, skipped...), moving
}
