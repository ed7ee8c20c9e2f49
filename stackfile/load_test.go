package stackfile

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

const shopStack = `version: "3.8"
services:
  web:
    image: registry.example.com/shop/web:${TAG}
    command: ["gunicorn", "shop.wsgi", "-b", "0.0.0.0:8000"]
    env_file: app.env
    environment:
      RELEASE: ${RELEASE:-1}
      DJANGO_SETTINGS_MODULE: shop.settings
    ports:
      - "80:8000"
    networks: [front, back]
    secrets: [django_secret_key]
    configs:
      - source: nginx_conf
        target: /etc/nginx/conf.d/default.conf
    healthcheck:
      test: curl -fsS http://localhost:8000/health || exit 1
      interval: 10s
      timeout: 3s
      start_period: 30s
      retries: 3
    stop_grace_period: 20s
    labels:
      com.example.team: shop
    deploy:
      replicas: 2
      labels:
        traefik.enable: "true"
      update_config:
        parallelism: 1
        delay: 5s
        order: start-first
        failure_action: rollback
        monitor: 30s
      rollback_config:
        order: stop-first
      resources:
        limits:
          cpus: "0.5"
          memory: 512M
        reservations:
          cpus: "0.1"
          memory: 256M
      placement:
        constraints: [node.role == worker, node.labels.tier == app]
        preferences:
          - spread: node.labels.zone
        max_replicas_per_node: 1
  worker:
    image: registry.example.com/shop/web:${TAG}
    command: celery -A shop worker
    env_file: app.env
    networks: [back]
  beat:
    image: registry.example.com/shop/web:${TAG}
    command: celery -A shop beat
    networks: [back]
    deploy:
      replicas: 1
  migrate:
    image: registry.example.com/shop/web:${TAG}
    command: python manage.py migrate
    networks: [back]
    deploy:
      mode: replicated-job
  agent:
    image: portainer/agent:2.19.4
    deploy:
      mode: global
    ports:
      - target: 9001
        published: 9001
        mode: host
networks:
  front: {}
  back:
    driver: overlay
    attachable: true
secrets:
  django_secret_key:
    file: ./secrets/django_secret_key
  vault_token:
    driver: vault
configs:
  nginx_conf:
    file: ./nginx/shop.conf
volumes:
  media:
    external: true
`

const shopOverride = `services:
  web:
    environment:
      EXTRA: from-override
    deploy:
      replicas: 4
  worker:
    deploy:
      replicas: 3
`

// writeShop writes the shop stack into <tmp>/shop and returns that dir.
func writeShop(t *testing.T, stack string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "shop")
	writeFiles(t, dir, map[string]string{
		"stack.yml":                 stack,
		"stack.override.yml":        shopOverride,
		".env":                      "TAG=from-dotenv\nDB_HOST=db.internal\n",
		"app.env":                   "DJANGO_DEBUG=0\nDB_HOST=${DB_HOST}\n",
		"secrets/django_secret_key": "s3cret\n",
		"nginx/shop.conf":           "server {}\n",
	})
	return dir
}

func ptr[T any](v T) *T { return &v }

func TestLoadShop(t *testing.T) {
	dir := writeShop(t, shopStack)
	t.Chdir(filepath.Dir(dir)) // relative -c paths, as typed in a shell
	st, err := Load(context.Background(), Options{
		Files:   []string{"shop/stack.yml", "shop/stack.override.yml"},
		Environ: []string{"TAG=2026.11.1"}, // the shell beats .env
	})
	if err != nil {
		t.Fatal(err)
	}

	if st.Name != "shop" {
		t.Errorf("Name = %q, want the directory name", st.Name)
	}
	wantFiles := []string{filepath.Join(dir, "stack.yml"), filepath.Join(dir, "stack.override.yml")}
	if !slices.Equal(st.Files, wantFiles) || st.WorkingDir != dir {
		t.Errorf("Files = %v, WorkingDir = %q", st.Files, st.WorkingDir)
	}
	if len(st.Warnings) != 0 {
		t.Errorf("Warnings = %q", st.Warnings)
	}
	var names []string
	for _, s := range st.Services {
		names = append(names, s.Name)
	}
	if want := []string{"agent", "beat", "migrate", "web", "worker"}; !slices.Equal(names, want) {
		t.Errorf("services = %v, want %v", names, want)
	}

	web, ok := st.Service("web")
	if !ok {
		t.Fatal("no web service")
	}
	want := Service{
		Name:  "web",
		Image: "registry.example.com/shop/web:2026.11.1",
		Mode:  ModeReplicated,
		// The override file wins.
		Replicas: ptr(uint64(4)),
		UpdateConfig: &UpdateConfig{Parallelism: ptr(uint64(1)), Delay: 5 * time.Second, Monitor: 30 * time.Second,
			FailureAction: "rollback", Order: "start-first"},
		RollbackConfig: &UpdateConfig{Order: "stop-first"},
		Healthcheck: &Healthcheck{
			Test:     []string{"CMD-SHELL", "curl -fsS http://localhost:8000/health || exit 1"},
			Interval: 10 * time.Second, Timeout: 3 * time.Second, StartPeriod: 30 * time.Second, Retries: ptr(uint64(3)),
		},
		Ports:    []Port{{Target: 8000, Published: 80, Protocol: "tcp", Mode: "ingress"}},
		Networks: []string{"back", "front"},
		Secrets:  []string{"django_secret_key"},
		Configs:  []string{"nginx_conf"},
		Resources: Resources{
			Limits:       &ResourceAmount{NanoCPUs: 500_000_000, MemoryBytes: 512 << 20},
			Reservations: &ResourceAmount{NanoCPUs: 100_000_000, MemoryBytes: 256 << 20},
		},
		Placement: Placement{
			Constraints: []string{"node.labels.tier == app", "node.role == worker"},
			Preferences: []string{"spread=node.labels.zone"},
			MaxReplicas: 1,
		},
		Labels:          map[string]string{"traefik.enable": "true"},
		ContainerLabels: map[string]string{"com.example.team": "shop"},
		StopGracePeriod: ptr(20 * time.Second),
		Command:         []string{"gunicorn", "shop.wsgi", "-b", "0.0.0.0:8000"},
		Environment: map[string]*string{
			"RELEASE":                ptr("1"),             // ${RELEASE:-1}
			"DJANGO_SETTINGS_MODULE": ptr("shop.settings"), // environment:
			"EXTRA":                  ptr("from-override"),
			"DJANGO_DEBUG":           ptr("0"),           // env_file
			"DB_HOST":                ptr("db.internal"), // env_file, interpolated from .env
		},
	}
	if !reflect.DeepEqual(web, want) {
		t.Errorf("web =\n%s\nwant\n%s", dump(web), dump(want))
	}

	worker, _ := st.Service("worker")
	if worker.Replicas == nil || *worker.Replicas != 3 || worker.Environment["DJANGO_DEBUG"] == nil {
		t.Errorf("worker = %s", dump(worker))
	}
	beat, _ := st.Service("beat")
	if beat.Replicas == nil || *beat.Replicas != 1 || beat.UpdateConfig != nil {
		t.Errorf("beat = %s", dump(beat))
	}
	migrate, _ := st.Service("migrate")
	if migrate.Mode != ModeReplicatedJob || migrate.Replicas != nil || !migrate.IsJob() {
		t.Errorf("migrate = %s", dump(migrate))
	}
	agent, _ := st.Service("agent")
	if agent.Mode != ModeGlobal || !slices.Equal(agent.Networks, []string{"default"}) ||
		!slices.Equal(agent.Ports, []Port{{Target: 9001, Published: 9001, Protocol: "tcp", Mode: "host"}}) {
		t.Errorf("agent = %s", dump(agent))
	}

	wantNetworks := []Network{
		{Name: "back", FullName: "shop_back", Driver: "overlay"},
		{Name: "default", FullName: "shop_default"},
		{Name: "front", FullName: "shop_front"},
	}
	if !reflect.DeepEqual(st.Networks, wantNetworks) {
		t.Errorf("Networks = %+v", st.Networks)
	}
	wantSecrets := []Secret{
		{Name: "django_secret_key", FullName: "shop_django_secret_key", File: filepath.Join(dir, "secrets/django_secret_key")},
		{Name: "vault_token", FullName: "shop_vault_token", Driver: "vault"}, // driver-only secrets load
	}
	if !reflect.DeepEqual(st.Secrets, wantSecrets) {
		t.Errorf("Secrets = %+v", st.Secrets)
	}
	if want := []Config{{Name: "nginx_conf", FullName: "shop_nginx_conf", File: filepath.Join(dir, "nginx/shop.conf")}}; !reflect.DeepEqual(st.Configs, want) {
		t.Errorf("Configs = %+v", st.Configs)
	}
	if want := []Volume{{Name: "media", FullName: "media", External: true}}; !reflect.DeepEqual(st.Volumes, want) {
		t.Errorf("Volumes = %+v", st.Volumes)
	}
	if st.Project == nil || st.Project.Name != "shop" || st.Project.Services["web"].EnvFiles != nil {
		t.Errorf("Project not kept, or env_file not merged")
	}
}

func TestLoadStackName(t *testing.T) {
	named := strings.Replace(shopStack, `version: "3.8"`, "name: shopfront", 1)
	cases := []struct {
		name, stack, flag, want string
	}{
		{"directory", shopStack, "", "shop"},
		{"name key", named, "", "shopfront"},
		{"flag beats name key", named, "prod", "prod"},
		{"flag", shopStack, "prod", "prod"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeShop(t, tc.stack)
			st, err := Load(context.Background(), Options{
				Files:     []string{filepath.Join(dir, "stack.yml")},
				StackName: tc.flag,
				Environ:   []string{},
			})
			if err != nil {
				t.Fatal(err)
			}
			if st.Name != tc.want {
				t.Errorf("Name = %q, want %q", st.Name, tc.want)
			}
			web, _ := st.Service("web")
			// Without TAG in the environment, .env provides it.
			if web.Image != "registry.example.com/shop/web:from-dotenv" {
				t.Errorf("Image = %q", web.Image)
			}
			if st.Networks[0].FullName != tc.want+"_back" {
				t.Errorf("network FullName = %q", st.Networks[0].FullName)
			}
		})
	}
}

func TestLoadWarnings(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "My App")
	writeFiles(t, dir, map[string]string{"stack.yml": `name: My App
services:
  web:
    image: nginx${TAG}
    build: .
    restart: always
    container_name: web
    expose: ["80"]
    depends_on: [db]
    tmpfs: /run
    cgroupns_mode: host
    ports:
      - "127.0.0.1:8080:80"
    networks:
      front:
        ipv4_address: 10.0.0.5
  db:
    image: postgres:16
    profiles: [debug]
    links: [web]
networks:
  front: {}
`})
	t.Chdir(dir)
	st, err := Load(context.Background(), Options{Files: []string{"stack.yml"}, Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`warning: name "My App" is not a valid stack name; using "myapp"`,
		`warning: services.db.links is ignored by Swarm (services find each other by name on shared networks)`,
		`warning: services.db.profiles is ignored by Swarm (stack files have no profiles; the service is deployed)`,
		`warning: services.web.build is ignored by Swarm (stack deploy uses images only)`,
		`warning: services.web.cgroupns_mode is ignored by Swarm (not supported by Swarm services)`,
		`warning: services.web.container_name is ignored by Swarm (Swarm names task containers itself)`,
		`warning: services.web.depends_on is ignored by Swarm (Swarm starts services in no particular order)`,
		`warning: services.web.expose is ignored by Swarm (services on a shared network reach every port without it)`,
		`warning: services.web.networks.front.ipv4_address is ignored by Swarm (Swarm assigns addresses itself)`,
		`warning: services.web.ports[].host_ip is ignored by Swarm (Swarm publishes ports on every address)`,
		`warning: services.web.restart is ignored by Swarm (except as the restart policy when deploy.restart_policy is absent)`,
		`warning: services.web.tmpfs is ignored by Swarm (use a volumes entry with type: tmpfs)`,
		`warning: variable TAG is not set, using an empty string (stack.yml:4)`,
	}
	if !slices.Equal(st.Warnings, want) {
		t.Errorf("Warnings:\n%s\nwant:\n%s", strings.Join(st.Warnings, "\n"), strings.Join(want, "\n"))
	}
	if _, ok := st.Service("db"); !ok {
		t.Error("the service with profiles: was dropped")
	}
	web, _ := st.Service("web")
	if web.Image != "nginx" {
		t.Errorf("Image = %q", web.Image)
	}
}

func TestLoadUsesOSEnvironByDefault(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"stack.yml": "services:\n  web:\n    image: nginx:${STACKFILE_TEST_TAG:?}\n"})
	t.Setenv("STACKFILE_TEST_TAG", "1.27")
	st, err := Load(context.Background(), Options{Files: []string{filepath.Join(dir, "stack.yml")}, StackName: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if web, _ := st.Service("web"); web.Image != "nginx:1.27" {
		t.Errorf("Image = %q", web.Image)
	}
}

func TestLoadPortRanges(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"stack.yml": `services:
  dns:
    image: coredns/coredns:1.11.1
    ports:
      - "5353-5354:53-54/udp"
      - "9153"
      - target: 8080
        published: "8080-8080"
`})
	st, err := Load(context.Background(), Options{Files: []string{filepath.Join(dir, "stack.yml")}, StackName: "dns", Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	dns, _ := st.Service("dns")
	want := []Port{
		{Target: 9153, Protocol: "tcp", Mode: "ingress"},
		{Target: 53, Published: 5353, Protocol: "udp", Mode: "ingress"},
		{Target: 54, Published: 5354, Protocol: "udp", Mode: "ingress"},
		{Target: 8080, Published: 8080, Protocol: "tcp", Mode: "ingress"},
	}
	if !slices.Equal(dns.Ports, want) {
		t.Errorf("Ports = %+v, want %+v", dns.Ports, want)
	}
}

func TestNanoCPUs(t *testing.T) {
	for in, want := range map[float32]int64{0: 0, 0.1: 100_000_000, 2.7: 2_700_000_000, 0.001: 1_000_000, 1.5: 1_500_000_000, 0.333: 333_000_000, 16: 16_000_000_000} {
		got, err := nanoCPUs(in)
		if err != nil || got != want {
			t.Errorf("nanoCPUs(%v) = %d, %v; want %d", in, got, err, want)
		}
	}
}

// dump shows a value with its pointers followed, for failure messages.
func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
