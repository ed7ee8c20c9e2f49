package swarm_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/swarm"

	"github.com/swarmtop/swarmtop/stackfile"
	sw "github.com/swarmtop/swarmtop/swarm"
)

// convertYAML loads a stack file (stack "st") and converts it for an API
// version; "" is the newest.
func convertYAML(t *testing.T, yml, api string) ([]swarm.ServiceSpec, error) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{"stack.yml": yml, "secret.txt": "s", "app.conf": "c"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st, err := stackfile.Load(context.Background(), stackfile.Options{
		Files: []string{filepath.Join(dir, "stack.yml")}, StackName: "st", Environ: []string{"HOME=/root"},
	})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return sw.ConvertStack(st, sw.ConvertOptions{APIVersion: api})
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestConvertServiceMapsComposeFields(t *testing.T) {
	tests := []struct {
		name  string
		yml   string
		check func(t *testing.T, s swarm.ServiceSpec)
	}{
		{"names and stack labels", `
services:
  web:
    image: nginx
    labels: {tier: front}
    deploy:
      labels: {team: shop}
`, func(t *testing.T, s swarm.ServiceSpec) {
			want := map[string]string{"team": "shop", sw.NamespaceLabel: "st", sw.ImageLabel: "nginx"}
			if s.Name != "st_web" || jsonOf(s.Labels) != jsonOf(want) {
				t.Errorf("name %s labels %v", s.Name, s.Labels)
			}
			cs := s.TaskTemplate.ContainerSpec
			if cs.Image != "nginx:latest" || jsonOf(cs.Labels) != jsonOf(map[string]string{"tier": "front", sw.NamespaceLabel: "st"}) {
				t.Errorf("image %s container labels %v", cs.Image, cs.Labels)
			}
		}},
		{"entrypoint is Command, command is Args, env sorted", `
services:
  web:
    image: x:1
    entrypoint: ["/bin/run"]
    command: ["serve", "--port", "80"]
    environment: {ZED: "1", ALPHA: a=b, BARE: null}
`, func(t *testing.T, s swarm.ServiceSpec) {
			cs := s.TaskTemplate.ContainerSpec
			if !slices.Equal(cs.Command, []string{"/bin/run"}) || !slices.Equal(cs.Args, []string{"serve", "--port", "80"}) {
				t.Errorf("command %q args %q", cs.Command, cs.Args)
			}
			if !slices.Equal(cs.Env, []string{"ALPHA=a=b", "BARE", "ZED=1"}) {
				t.Errorf("env %q", cs.Env)
			}
		}},
		{"cpus convert exactly", `
services:
  web:
    image: x:1
    deploy:
      resources:
        limits: {cpus: "0.1", memory: 64M, pids: 100}
        reservations: {cpus: "2.7", memory: 32M}
`, func(t *testing.T, s swarm.ServiceSpec) {
			r := s.TaskTemplate.Resources
			if r.Limits.NanoCPUs != 100_000_000 || r.Reservations.NanoCPUs != 2_700_000_000 {
				t.Errorf("nano cpus %d / %d, want 100000000 / 2700000000", r.Limits.NanoCPUs, r.Reservations.NanoCPUs)
			}
			if r.Limits.MemoryBytes != 64<<20 || r.Limits.Pids != 100 || r.Reservations.MemoryBytes != 32<<20 {
				t.Errorf("resources %+v %+v", r.Limits, r.Reservations)
			}
		}},
		{"restart falls back to restart:", `
services:
  web:
    image: x:1
    restart: on-failure:3
`, func(t *testing.T, s swarm.ServiceSpec) {
			rp := s.TaskTemplate.RestartPolicy
			if rp == nil || rp.Condition != swarm.RestartPolicyConditionOnFailure || rp.MaxAttempts == nil || *rp.MaxAttempts != 3 {
				t.Errorf("restart policy %+v, want on-failure ×3", rp)
			}
		}},
		{"restart: always is any, and restart_policy wins", `
services:
  a:
    image: x:1
    restart: always
  b:
    image: x:1
    restart: always
    deploy:
      restart_policy: {condition: none, delay: 2s}
  c:
    image: x:1
    restart: "no"
`, nil},
		{"healthcheck disable and shell test", `
services:
  a:
    image: x:1
    healthcheck: {disable: true}
  b:
    image: x:1
    healthcheck: {test: curl -f localhost, interval: 2s, retries: 4}
`, nil},
		{"ports sorted, endpoint always sent", `
services:
  web:
    image: x:1
    ports: ["9000:90/udp", "8080:80", {target: 70, published: "7070", mode: host}]
  quiet:
    image: x:1
`, nil},
		{"mounts name volumes after the stack", `
services:
  web:
    image: x:1
    volumes:
      - data:/data
      - shared:/shared:ro
      - /etc/hosts:/h:ro
      - {type: tmpfs, target: /tmp, tmpfs: {size: 1048576}}
volumes:
  data:
    labels: {backup: daily}
  shared:
    external: true
    name: shared_vol
`, func(t *testing.T, s swarm.ServiceSpec) {
			m := s.TaskTemplate.ContainerSpec.Mounts
			if len(m) != 4 {
				t.Fatalf("mounts %+v", m)
			}
			wantLabels := map[string]string{"backup": "daily", sw.NamespaceLabel: "st"}
			if m[0].Source != "st_data" || m[0].Type != mount.TypeVolume || jsonOf(m[0].VolumeOptions.Labels) != jsonOf(wantLabels) {
				t.Errorf("named volume %+v %+v", m[0], m[0].VolumeOptions)
			}
			if m[1].Source != "shared_vol" || !m[1].ReadOnly || m[1].VolumeOptions.Labels != nil {
				t.Errorf("external volume %+v %+v", m[1], m[1].VolumeOptions)
			}
			if m[2].Type != mount.TypeBind || m[2].Source != "/etc/hosts" || !m[2].ReadOnly {
				t.Errorf("bind %+v", m[2])
			}
			if m[3].Type != mount.TypeTmpfs || m[3].TmpfsOptions.SizeBytes != 1<<20 {
				t.Errorf("tmpfs %+v", m[3])
			}
		}},
		{"secrets and configs sorted with default targets", `
services:
  web:
    image: x:1
    secrets: [zeta, {source: alpha, target: custom, mode: 0400, uid: "100"}]
    configs: [conf]
secrets:
  zeta: {file: ./secret.txt}
  alpha: {file: ./secret.txt}
configs:
  conf: {file: ./app.conf}
`, func(t *testing.T, s swarm.ServiceSpec) {
			cs := s.TaskTemplate.ContainerSpec
			if len(cs.Secrets) != 2 || cs.Secrets[0].SecretName != "st_alpha" || cs.Secrets[1].SecretName != "st_zeta" {
				t.Fatalf("secrets %s", jsonOf(cs.Secrets))
			}
			if f := cs.Secrets[0].File; f.Name != "custom" || f.UID != "100" || f.GID != "0" || f.Mode != 0o400 {
				t.Errorf("alpha target %+v", f)
			}
			if f := cs.Secrets[1].File; f.Name != "zeta" || f.Mode != 0o444 {
				t.Errorf("zeta target %+v, want the key, 0444", f)
			}
			if len(cs.Configs) != 1 || cs.Configs[0].ConfigName != "st_conf" || cs.Configs[0].File.Name != "conf" || cs.Configs[0].ConfigID != "" {
				t.Errorf("configs %s", jsonOf(cs.Configs))
			}
		}},
		{"networks sorted by target with the service alias", `
services:
  web:
    image: x:1
    networks:
      zfront: {aliases: [www]}
      back:
  plain:
    image: x:1
networks:
  zfront:
  back:
`, nil},
		{"job and global modes", `
services:
  migrate:
    image: x:1
    deploy: {mode: replicated-job, replicas: 3}
  agent:
    image: x:1
    deploy: {mode: global}
  web:
    image: x:1
    deploy:
      update_config: {order: start-first}
`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			specs, err := convertYAML(t, tt.yml, "")
			if err != nil {
				t.Fatalf("convert: %v", err)
			}
			if tt.check != nil {
				tt.check(t, specs[0])
				return
			}
			checkMultiService(t, tt.name, specs)
		})
	}
}

// checkMultiService checks the cases with several services.
func checkMultiService(t *testing.T, name string, specs []swarm.ServiceSpec) {
	by := map[string]swarm.ServiceSpec{}
	for _, s := range specs {
		by[strings.TrimPrefix(s.Name, "st_")] = s
	}
	switch name {
	case "restart: always is any, and restart_policy wins":
		if rp := by["a"].TaskTemplate.RestartPolicy; rp == nil || rp.Condition != swarm.RestartPolicyConditionAny {
			t.Errorf("always → %+v, want any", rp)
		}
		if rp := by["b"].TaskTemplate.RestartPolicy; rp.Condition != swarm.RestartPolicyConditionNone || *rp.Delay != 2*time.Second {
			t.Errorf("restart_policy → %+v", rp)
		}
		if rp := by["c"].TaskTemplate.RestartPolicy; rp != nil {
			t.Errorf("no → %+v, want the engine default", rp)
		}
	case "healthcheck disable and shell test":
		if h := by["a"].TaskTemplate.ContainerSpec.Healthcheck; h == nil || !slices.Equal(h.Test, []string{"NONE"}) {
			t.Errorf("disable → %+v, want [NONE]", h)
		}
		h := by["b"].TaskTemplate.ContainerSpec.Healthcheck
		if !slices.Equal(h.Test, []string{"CMD-SHELL", "curl -f localhost"}) || h.Interval != 2*time.Second || h.Retries != 4 {
			t.Errorf("shell test → %+v", h)
		}
	case "ports sorted, endpoint always sent":
		got := jsonOf(by["web"].EndpointSpec.Ports)
		want := `[{"Protocol":"tcp","TargetPort":70,"PublishedPort":7070,"PublishMode":"host"},` +
			`{"Protocol":"tcp","TargetPort":80,"PublishedPort":8080,"PublishMode":"ingress"},` +
			`{"Protocol":"udp","TargetPort":90,"PublishedPort":9000,"PublishMode":"ingress"}]`
		if got != want {
			t.Errorf("ports %s\nwant %s", got, want)
		}
		if e := by["quiet"].EndpointSpec; e == nil || len(e.Ports) != 0 {
			t.Errorf("no ports → endpoint %+v, want empty and non-nil", e)
		}
	case "networks sorted by target with the service alias":
		got := jsonOf(by["web"].TaskTemplate.Networks)
		want := `[{"Target":"st_back","Aliases":["web"]},{"Target":"st_zfront","Aliases":["www","web"]}]`
		if got != want {
			t.Errorf("networks %s\nwant %s", got, want)
		}
		if got := jsonOf(by["plain"].TaskTemplate.Networks); got != `[{"Target":"st_default","Aliases":["plain"]}]` {
			t.Errorf("no networks → %s, want the default network", got)
		}
	case "job and global modes":
		j := by["migrate"].Mode.ReplicatedJob
		if j == nil || *j.MaxConcurrent != 3 || *j.TotalCompletions != 3 {
			t.Errorf("replicated-job → %s", jsonOf(by["migrate"].Mode))
		}
		if by["agent"].Mode.Global == nil {
			t.Errorf("global → %s", jsonOf(by["agent"].Mode))
		}
		if u := by["web"].UpdateConfig; u.Parallelism != 1 || u.Order != swarm.UpdateOrderStartFirst {
			t.Errorf("update_config → %+v, want parallelism 1 (docker's default when unset)", u)
		}
		if r := by["web"].Mode.Replicated; r == nil || r.Replicas != nil {
			t.Errorf("unset replicas → %s, want nil (the engine's 1, or the live count)", jsonOf(by["web"].Mode))
		}
	}
}

func TestConvertIsDeterministic(t *testing.T) {
	yml := `
services:
  web:
    image: x:1
    environment: {E: "5", A: "1", D: "4", C: "3", B: "2"}
    extra_hosts: ["db:10.0.0.2", "cache:10.0.0.3", "api:10.0.0.4"]
    ports: ["8081:81", "8080:80", "8082:82"]
    networks: [n3, n1, n2]
    secrets: [s2, s1]
    ulimits: {nproc: 100, nofile: {soft: 10, hard: 20}}
    cap_add: [net_admin, SYS_TIME]
    sysctls: {net.core.somaxconn: "1024", net.ipv4.tcp_syncookies: "0"}
networks: {n1: {}, n2: {}, n3: {}}
secrets:
  s1: {file: ./secret.txt}
  s2: {file: ./secret.txt}
`
	first, err := convertYAML(t, yml, "")
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, err := convertYAML(t, yml, "")
		if err != nil {
			t.Fatal(err)
		}
		if jsonOf(again) != jsonOf(first) {
			t.Fatalf("conversions differ:\n%s\n%s", jsonOf(first), jsonOf(again))
		}
	}
	cs := first[0].TaskTemplate.ContainerSpec
	if !slices.Equal(cs.Hosts, []string{"10.0.0.4 api", "10.0.0.3 cache", "10.0.0.2 db"}) {
		t.Errorf("hosts %q", cs.Hosts)
	}
	if !slices.Equal(cs.CapabilityAdd, []string{"CAP_NET_ADMIN", "CAP_SYS_TIME"}) {
		t.Errorf("cap_add %q", cs.CapabilityAdd)
	}
	if cs.Ulimits[0].Name != "nofile" || cs.Ulimits[1].Name != "nproc" || cs.Ulimits[1].Soft != 100 || cs.Ulimits[1].Hard != 100 {
		t.Errorf("ulimits %s", jsonOf(cs.Ulimits))
	}
}

func TestConvertRefusesWhatTheAPICannotCarry(t *testing.T) {
	tests := []struct {
		name, api, service string
		wantErr            string // "" converts
	}{
		{"job on 1.40", "1.40", "deploy: {mode: replicated-job}", "needs engine API 1.41"},
		{"job on 1.41", "1.41", "deploy: {mode: replicated-job}", ""},
		{"ulimits on 1.40", "1.40", "ulimits: {nofile: 10}", "services.web.ulimits: needs engine API 1.41"},
		{"pids on 1.40", "1.40", "deploy: {resources: {limits: {pids: 10}}}", "pids: needs engine API 1.41"},
		{"start_interval on 1.41", "1.41", "healthcheck: {test: [CMD, x], start_interval: 1s}", "start_interval: needs engine API 1.44"},
		{"start_interval on 1.44", "1.44", "healthcheck: {test: [CMD, x], start_interval: 1s}", ""},
		{"oom_score_adj on 1.41", "1.41", "oom_score_adj: 100", "needs engine API 1.46"},
		{"cap_add on 1.41", "1.41", "cap_add: [NET_ADMIN]", ""},
		{"newest API", "", "oom_score_adj: 100", ""},
		{"dns must be addresses", "", "dns: [resolver.example]", "is not an IP address"},
		{"dnsrr with ingress ports", "", `{ports: ["80:80"], deploy: {endpoint_mode: dnsrr}}`, "dnsrr"},
		{"unknown restart", "", "restart: sometimes", "unknown restart policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := "    " + tt.service
			if strings.HasPrefix(tt.service, "{") { // a flow mapping of several keys
				svc = "    <<: " + tt.service
			}
			yml := "services:\n  web:\n    image: x:1\n" + svc + "\n"
			_, err := convertYAML(t, yml, tt.api)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("convert: %v", err)
			case tt.wantErr != "":
				var ce *sw.ConvertError
				if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want a ConvertError with %q", err, tt.wantErr)
				}
				if ce.ExitCode() != 2 {
					t.Errorf("exit code %d, want 2", ce.ExitCode())
				}
			}
		})
	}
}
