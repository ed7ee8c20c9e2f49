package swarm_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/swarm"

	sw "github.com/swarmtop/swarmtop/swarm"
)

// diffStackYAML converts to the file side of the diff tests.
const diffStackYAML = `
services:
  web:
    image: shop/web:42
    command: ["serve"]
    environment: {MODE: prod, DEBUG: "0"}
    networks: [back]
    secrets: [key]
    ports: ["8080:80"]
    deploy:
      replicas: 2
      update_config: {order: start-first}
  worker:
    image: shop/web:42
    networks: [back]
networks:
  back:
secrets:
  key: {file: ./secret.txt}
`

// diffLive makes live services out of file specs, as the engine would
// store them once deployed: network IDs instead of names, secret IDs.
func diffLive(specs []swarm.ServiceSpec, edit map[string]func(*swarm.ServiceSpec)) []swarm.Service {
	var live []swarm.Service
	for i, spec := range specs {
		s := swarm.Service{ID: "id" + spec.Name, Spec: reencode(spec)}
		s.Meta.Version.Index = uint64(10 + i)
		for j := range s.Spec.TaskTemplate.Networks {
			s.Spec.TaskTemplate.Networks[j].Target = "netid-" + s.Spec.TaskTemplate.Networks[j].Target
		}
		for _, r := range s.Spec.TaskTemplate.ContainerSpec.Secrets {
			r.SecretID = "secretid"
		}
		if f := edit[sw.ShortName("st", spec.Name)]; f != nil {
			f(&s.Spec)
		}
		live = append(live, s)
	}
	return live
}

// reencode deep-copies a spec.
func reencode(spec swarm.ServiceSpec) swarm.ServiceSpec {
	var out swarm.ServiceSpec
	if err := json.Unmarshal([]byte(jsonOf(spec)), &out); err != nil {
		panic(err)
	}
	return out
}

var diffNetworkNames = map[string]string{"netid-st_back": "st_back"}

func TestDiffSpecs(t *testing.T) {
	file, err := convertYAML(t, diffStackYAML, "")
	if err != nil {
		t.Fatal(err)
	}
	ptr := func(n uint64) *uint64 { return &n }
	dur := func(d time.Duration) *time.Duration { return &d }
	tests := []struct {
		name string
		edit map[string]func(*swarm.ServiceSpec)
		drop string // a file service not deployed
		want map[string][]sw.FieldChange
	}{
		{name: "as deployed", want: map[string][]sw.FieldChange{"web": nil, "worker": nil}},
		{name: "engine defaults, ordering, pins and force updates are no difference", edit: map[string]func(*swarm.ServiceSpec){
			"web": func(s *swarm.ServiceSpec) {
				cs := s.TaskTemplate.ContainerSpec
				slices.Reverse(cs.Env)
				cs.Image = "shop/web:42@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
				cs.StopGracePeriod = dur(10 * time.Second)
				cs.Isolation = container.IsolationDefault
				cs.Privileges = &swarm.Privileges{}
				cs.DNSConfig = &swarm.DNSConfig{}
				s.TaskTemplate.ForceUpdate = 7
				s.TaskTemplate.Runtime = swarm.RuntimeContainer
				s.TaskTemplate.RestartPolicy = &swarm.RestartPolicy{Condition: swarm.RestartPolicyConditionAny, Delay: dur(5 * time.Second), MaxAttempts: ptr(0)}
				s.RollbackConfig = &swarm.UpdateConfig{Parallelism: 1, FailureAction: "pause", Monitor: 5 * time.Second, Order: "stop-first"}
				s.EndpointSpec.Mode = swarm.ResolutionModeVIP
			},
		}, want: map[string][]sw.FieldChange{"web": nil, "worker": nil}},
		{name: "an unset file count is no difference", edit: map[string]func(*swarm.ServiceSpec){
			"worker": func(s *swarm.ServiceSpec) { s.Mode.Replicated.Replicas = ptr(5) },
		}, want: map[string][]sw.FieldChange{"web": nil, "worker": nil}},
		{name: "scaled, new image, env edited", edit: map[string]func(*swarm.ServiceSpec){
			"web": func(s *swarm.ServiceSpec) {
				s.Mode.Replicated.Replicas = ptr(4)
				s.TaskTemplate.ContainerSpec.Image = "shop/web:41@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945"
				s.Labels[sw.ImageLabel] = "shop/web:41"
				s.TaskTemplate.ContainerSpec.Env = []string{"DEBUG=1", "EXTRA=x", "MODE=prod"}
			},
		}, want: map[string][]sw.FieldChange{
			"web": {
				{Field: "replicas", Live: "4", File: "2"},
				{Field: "image", Live: "shop/web:41", File: "shop/web:42"},
				{Field: "env.DEBUG", Live: "1", File: "0"},
				{Field: "env.EXTRA", Live: "x", File: "(unset)"},
			},
			"worker": nil,
		}},
		{name: "update config and ports", edit: map[string]func(*swarm.ServiceSpec){
			"web": func(s *swarm.ServiceSpec) {
				s.UpdateConfig = nil
				s.EndpointSpec.Ports[0].PublishedPort = 9090
			},
		}, want: map[string][]sw.FieldChange{
			"web": {
				{Field: "ports", Live: "9090:80/tcp", File: "8080:80/tcp"},
				{Field: "update_config",
					Live: "parallelism=1 delay=0s failure_action=pause monitor=5s max_failure_ratio=0 order=stop-first",
					File: "parallelism=1 delay=0s failure_action=pause monitor=5s max_failure_ratio=0 order=start-first"},
			},
			"worker": nil,
		}},
		{name: "missing and extra", drop: "worker", want: map[string][]sw.FieldChange{"web": nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := diffLive(file, tt.edit)
			fileSpecs := file
			if tt.drop != "" {
				fileSpecs = slices.DeleteFunc(slices.Clone(file), func(s swarm.ServiceSpec) bool { return s.Name == "st_"+tt.drop })
				live = append(live, swarm.Service{ID: "old", Spec: swarm.ServiceSpec{Annotations: swarm.Annotations{Name: "st_old"}}})
			}
			d := sw.DiffSpecs("st", fileSpecs, live, diffNetworkNames)
			for name, want := range tt.want {
				got, ok := d.Service(name)
				if !ok {
					t.Fatalf("no %s in %+v", name, d.Services)
				}
				wantStatus := sw.DiffSame
				if len(want) > 0 {
					wantStatus = sw.DiffChanged
				}
				if got.Status != wantStatus || !slices.Equal(got.Changes, want) {
					t.Errorf("%s: %s %+v\nwant %s %+v", name, got.Status, got.Changes, wantStatus, want)
				}
			}
			if tt.drop != "" {
				if s, _ := d.Service("old"); s.Status != sw.DiffExtra {
					t.Errorf("old: %s, want extra", s.Status)
				}
			}
		})
	}
}

func TestDiffDriftSummarisesPerService(t *testing.T) {
	file, err := convertYAML(t, diffStackYAML, "")
	if err != nil {
		t.Fatal(err)
	}
	four := uint64(4)
	live := diffLive(file, map[string]func(*swarm.ServiceSpec){"web": func(s *swarm.ServiceSpec) {
		s.Mode.Replicated.Replicas = &four
		s.TaskTemplate.ContainerSpec.Args = []string{"serve", "--debug"}
		s.TaskTemplate.ContainerSpec.Env = append(s.TaskTemplate.ContainerSpec.Env, "X=1")
	}})
	live = append(live, swarm.Service{ID: "old", Spec: swarm.ServiceSpec{Annotations: swarm.Annotations{Name: "st_old"}}})
	fileSpecs := append(slices.Clone(file), swarm.ServiceSpec{Annotations: swarm.Annotations{Name: "st_new"}})

	drift := sw.DiffSpecs("st", fileSpecs, live, diffNetworkNames).Drift()
	want := []sw.Drift{
		{Service: "new", Missing: true},
		{Service: "old", Extra: true},
		{Service: "web", Replicas: &sw.FieldChange{Field: "replicas", Live: "4", File: "2"}, Others: []string{"command", "env.X"}},
	}
	if jsonOf(drift) != jsonOf(want) {
		t.Errorf("drift = %s\nwant %s", jsonOf(drift), jsonOf(want))
	}
	if sw.DiffSpecs("st", file, diffLive(file, nil), diffNetworkNames).Drift() != nil {
		t.Error("no drift expected for a stack as deployed")
	}
}
