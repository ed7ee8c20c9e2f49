package swarm

import (
	"errors"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/swarm"
)

// Unit tests of the act helpers that need no engine.

func TestImageTags(t *testing.T) {
	tests := []struct {
		image, tag, retagged string
	}{
		{"swarmtop/standin:1", "1", "swarmtop/standin:9"},
		{"registry.example.com:5000/shop/django:42", "42", "registry.example.com:5000/shop/django:9"},
		{"registry.example.com:5000/shop/django", "", "registry.example.com:5000/shop/django:9"},
		{"memcached:1.6-alpine@sha256:abcd", "1.6-alpine", "memcached:9"},
		{"nginx@sha256:abcd", "", "nginx:9"},
	}
	for _, tt := range tests {
		if got := tagOfImage(tt.image); got != tt.tag {
			t.Errorf("tagOfImage(%q) = %q, want %q", tt.image, got, tt.tag)
		}
		if got := withTag(tt.image, "9"); got != tt.retagged {
			t.Errorf("withTag(%q, 9) = %q, want %q", tt.image, got, tt.retagged)
		}
	}
}

func actTestService(name, image string) swarm.Service {
	return swarm.Service{Spec: swarm.ServiceSpec{
		Annotations:  swarm.Annotations{Name: "shop_" + name},
		TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{Image: image}},
	}}
}

func TestMajorityTag(t *testing.T) {
	tests := []struct {
		name    string
		images  []string
		want    string
		wantErr string
	}{
		{"most services share a tag", []string{"shop/web:41", "shop/worker:41", "memcached:1.6-alpine"}, "41", ""},
		{"a pinned digest does not hide the tag", []string{"shop/web:41@sha256:aa", "shop/worker:41", "nginx:1.25"}, "41", ""},
		{"a tie needs --from", []string{"shop/web:41", "memcached:1.6"}, "", "--from"},
		{"no tags at all", []string{"nginx@sha256:aa"}, "", "no"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var services []swarm.Service
			for i, img := range tt.images {
				services = append(services, actTestService(string(rune('a'+i)), img))
			}
			got, err := majorityTag("shop", services)
			if got != tt.want || (err == nil) != (tt.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("got %q, %v; want %q, error with %q", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestPlanReleaseSkipsOtherTags(t *testing.T) {
	services := []swarm.Service{
		actTestService("web", "shop/django:41"),
		actTestService("memcached", "memcached:1.6-alpine"),
		actTestService("nginx", "nginx@sha256:aa"),
	}
	movers, skipped := planRelease("shop", services, "41")
	if len(movers) != 1 || movers[0].Spec.Name != "shop_web" {
		t.Errorf("movers = %v", movers)
	}
	if len(skipped) != 2 || skipped[0].Service != "memcached" || skipped[0].Reason != "on tag 1.6-alpine, not 41" || skipped[1].Reason != "its image has no tag" {
		t.Errorf("skipped = %+v", skipped)
	}
}

func TestRetagSpecKeepsTheLabelSpelling(t *testing.T) {
	spec := actTestService("web", "registry.example.com/shop/django:41@sha256:aa").Spec
	spec.Labels = map[string]string{ImageLabel: "registry.example.com/shop/django:41", NamespaceLabel: "shop"}
	if err := retagSpec(&spec, "41", "42"); err != nil {
		t.Fatal(err)
	}
	if got := spec.TaskTemplate.ContainerSpec.Image; got != "registry.example.com/shop/django:42" {
		t.Errorf("image %q", got)
	}
	if got := spec.Labels[ImageLabel]; got != "registry.example.com/shop/django:42" {
		t.Errorf("label %q", got)
	}
	// A retry after someone else already released is not an error.
	if err := retagSpec(&spec, "41", "42"); !errors.Is(err, errNothingToChange) {
		t.Errorf("second retag: %v, want no change", err)
	}
}

func TestScalableModes(t *testing.T) {
	one := uint64(1)
	tests := []struct {
		mode swarm.ServiceMode
		want string // "" for scalable
	}{
		{swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &one}}, ""},
		{swarm.ServiceMode{Global: &swarm.GlobalService{}}, "global service"},
		{swarm.ServiceMode{GlobalJob: &swarm.GlobalJob{}}, "global-job service"},
		{swarm.ServiceMode{ReplicatedJob: &swarm.ReplicatedJob{}}, "runs the job again"},
	}
	for _, tt := range tests {
		err := scalable("agent", tt.mode)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", changeMode(tt.mode), err)
			}
			continue
		}
		var refused *RefusedError
		if !errors.As(err, &refused) || refused.ExitCode() != 2 || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "cannot scale agent: ") {
			t.Errorf("%s: got %v, want a refusal naming %q", changeMode(tt.mode), err, tt.want)
		}
	}
}

func TestOutOfSequenceMatchesTheEngineText(t *testing.T) {
	if !outOfSequence(errors.New("Error response from daemon: rpc error: code = Unknown desc = update out of sequence")) {
		t.Error("the engine's stale-version error was not recognised")
	}
	if outOfSequence(errors.New("service not found")) || outOfSequence(nil) {
		t.Error("other errors taken for a stale version")
	}
}
