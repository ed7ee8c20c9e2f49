package swarm

import (
	"slices"
	"testing"

	"github.com/moby/moby/api/types/swarm"
)

const pinned = "shop/web:42@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"

// deploySpec is a small replicated service spec as the converter makes it.
func deploySpec(image, label string, replicas *uint64) swarm.ServiceSpec {
	return swarm.ServiceSpec{
		Annotations:  swarm.Annotations{Name: "shop_web", Labels: map[string]string{NamespaceLabel: "shop", ImageLabel: label}},
		TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{Image: image}},
		Mode:         swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: replicas}},
	}
}

func TestDeployDesiredSpecKeepsWhatTheFileLeavesAlone(t *testing.T) {
	n := func(v uint64) *uint64 { return &v }
	tests := []struct {
		name         string
		reset        bool
		file, live   swarm.ServiceSpec
		wantImage    string
		wantReplicas *uint64
		wantNotes    []string
	}{
		{"pinned file image stays pinned", false,
			deploySpec("shop/web:42", "shop/web:42", n(2)), deploySpec(pinned, "shop/web:42", n(2)),
			pinned, n(2), nil},
		{"pinned image deployed from an unchanged file is kept", false,
			deploySpec("shop/web:42", "shop/web:42", n(2)),
			deploySpec("shop/web:43@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945", "shop/web:42", n(2)),
			"shop/web:43@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945", n(2),
			[]string{"web: kept the image it runs, shop/web:43 (the file's shop/web:42 is the image last deployed)"}},
		{"a new image in the file replaces a pin", false,
			deploySpec("shop/web:43", "shop/web:43", n(2)), deploySpec(pinned, "shop/web:42", n(2)),
			"shop/web:43", n(2), nil},
		{"a live scale is kept", false,
			deploySpec("shop/web:42", "shop/web:42", n(2)), deploySpec("shop/web:42", "shop/web:42", n(4)),
			"shop/web:42", n(4), []string{"web: kept 4 replicas (file says 2); use --reset-replicas"}},
		{"unless reset", true,
			deploySpec("shop/web:42", "shop/web:42", n(2)), deploySpec("shop/web:42", "shop/web:42", n(4)),
			"shop/web:42", n(2), nil},
		{"an unset count keeps the live one", true,
			deploySpec("shop/web:42", "shop/web:42", nil), deploySpec("shop/web:42", "shop/web:42", n(4)),
			"shop/web:42", n(4), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &DeployPlan{DeployResult: DeployResult{Stack: "shop"}, opts: DeployOptions{ResetReplicas: tt.reset}}
			live := swarm.Service{Spec: tt.live}
			live.Spec.TaskTemplate.ForceUpdate = 3
			spec, notes := p.desiredSpec(tt.file, live)
			if got := spec.TaskTemplate.ContainerSpec.Image; got != tt.wantImage {
				t.Errorf("image %s, want %s", got, tt.wantImage)
			}
			if got := spec.Mode.Replicated.Replicas; *got != *tt.wantReplicas {
				t.Errorf("replicas %d, want %d", *got, *tt.wantReplicas)
			}
			if spec.TaskTemplate.ForceUpdate != 3 {
				t.Errorf("force update %d, want the live 3", spec.TaskTemplate.ForceUpdate)
			}
			if !slices.Equal(notes, tt.wantNotes) {
				t.Errorf("notes %q, want %q", notes, tt.wantNotes)
			}
		})
	}
}
