package stackfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// writeFiles writes name → content under dir, creating subdirectories.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

const okWeb = "services:\n  web:\n    image: nginx:1.27\n"

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		args  []string // -c arguments; default stack.yml
		stack string
		env   []string
		setup func(t *testing.T, dir string)
		want  string // exact message, or a regexp when it starts with "^"
	}{
		{
			name:  "yaml syntax",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n   ports: [\n"},
			want:  `stack.yml:4:4: invalid YAML: did not find expected key (while parsing a block mapping at line 2, column 3)`,
		},
		{
			name:  "unterminated quote",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: \"nginx\n"},
			want:  `stack.yml:4:1: invalid YAML: found unexpected end of stream (while scanning a quoted scalar at line 3, column 12)`,
		},
		{
			name:  "tab indentation",
			files: map[string]string{"stack.yml": "services:\n\tweb:\n"},
			want:  `stack.yml:2:1: invalid YAML: found character that cannot start any token (while scanning for the next token); indent with spaces, not tabs`,
		},
		{
			name:  "duplicate key",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: a\n    image: b\n"},
			want:  `stack.yml:4:5: services.web.image: duplicate key "image" (first defined at line 3)`,
		},
		{
			name:  "unknown deploy key",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      replicaz: 2\n"},
			want:  `stack.yml:5:7: services.web.deploy.replicaz: unknown key "replicaz" (did you mean "replicas"?)`,
		},
		{
			name:  "unknown service key",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    imagez: nginx\n"},
			want:  `stack.yml:4:5: services.web.imagez: unknown key "imagez" (did you mean "image"?)`,
		},
		{
			name:  "unknown top-level key",
			files: map[string]string{"stack.yml": "servicez:\n  web:\n    image: x\n"},
			want:  `stack.yml:1:1: servicez: unknown key "servicez" (did you mean "services"?)`,
		},
		{
			name:  "wrong type list",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    ports: 80\n"},
			want:  `stack.yml:4:12: services.web.ports: must be a list`,
		},
		{
			name:  "wrong type replicas",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: many\n"},
			want:  `stack.yml:5:17: services.web.deploy.replicas: expected an integer, got "many"`,
		},
		{
			name:  "negative replicas",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: -1\n"},
			want:  `stack.yml:5:17: services.web.deploy.replicas: must be 0 or more, got -1`,
		},
		{
			name:  "service is a string",
			files: map[string]string{"stack.yml": "services:\n  web: nginx\n"},
			want:  `stack.yml:2:8: services.web: must be a mapping`,
		},
		{
			name:  "undefined network",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    networks:\n      - front\n      - nope\nnetworks:\n  front: {}\n"},
			want:  `stack.yml:6:9: services.web.networks: undefined network "nope" (declare it under the top-level networks:)`,
		},
		{
			name:  "undefined secret",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    secrets:\n      - source: db_pass\n        target: pw\n"},
			want:  `stack.yml:5:9: services.web.secrets: undefined secret "db_pass" (declare it under the top-level secrets:)`,
		},
		{
			name:  "undefined config",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    configs: [nginx_conf]\n"},
			want:  `stack.yml:4:15: services.web.configs: undefined config "nginx_conf" (declare it under the top-level configs:)`,
		},
		{
			name:  "undefined volume",
			files: map[string]string{"stack.yml": "services:\n  db:\n    image: postgres:16\n    volumes:\n      - pgdata:/var/lib/postgresql/data\n"},
			want:  `stack.yml:5:9: services.db.volumes: undefined volume "pgdata" (declare it under the top-level volumes:)`,
		},
		{
			name:  "no image",
			files: map[string]string{"stack.yml": "services:\n  web:\n    build: .\n"},
			want:  `stack.yml:2:3: services.web: no image: Swarm services run images (build: is not used by stack deploy)`,
		},
		{
			name:  "invalid image reference",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: Nginx:1\n"},
			want:  `stack.yml:3:12: services.web.image: invalid image reference "Nginx:1": invalid reference format: repository name (library/Nginx) must be lowercase`,
		},
		{
			name:  "required variable",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx:${TAG:?must be set}\n"},
			want:  `stack.yml:3:18: services.web.image: required variable TAG is not set (must be set)`,
		},
		{
			name:  "missing env file",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    env_file:\n      - app.env\n      - missing.env\n", "app.env": "A=1\n"},
			want:  `stack.yml:6:9: services.web.env_file: env file missing.env not found`,
		},
		{
			name:  "bad .env line",
			files: map[string]string{"stack.yml": okWeb, ".env": "A=1\nB C=2\n"},
			want:  `.env:2: key cannot contain a space`,
		},
		{
			name: "nonexistent file",
			args: []string{"nope.yml"},
			want: `nope.yml: no such file`,
		},
		{
			name:  "empty file",
			files: map[string]string{"stack.yml": "# nothing yet\n"},
			want:  `stack.yml: file is empty`,
		},
		{
			name:  "directory as file",
			setup: func(t *testing.T, dir string) { os.Mkdir(filepath.Join(dir, "stack.yml"), 0o755) },
			want:  `stack.yml: is a directory, not a stack file`,
		},
		{
			name:  "top level is a list",
			files: map[string]string{"stack.yml": "- web\n"},
			want:  `stack.yml:1:1: the top level must be a mapping (services:, networks:, ...)`,
		},
		{
			name:  "invalid stack name",
			files: map[string]string{"stack.yml": okWeb},
			stack: "My Stack",
			want:  `--stack: invalid stack name "My Stack": use lowercase letters, digits, "-" and "_", starting with a letter or digit`,
		},
		{
			name:  "unknown mode",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      mode: replicatd\n"},
			want:  `stack.yml:5:13: services.web.deploy.mode: unknown mode "replicatd" (use replicated, global, replicated-job or global-job)`,
		},
		{
			name:  "replicas with global",
			files: map[string]string{"stack.yml": "services:\n  agent:\n    image: agent\n    deploy:\n      mode: global\n      replicas: 2\n"},
			want:  `stack.yml:6:7: services.agent.deploy.replicas: replicas cannot be used with mode "global" (only replicated and replicated-job)`,
		},
		{
			name:  "update_config on a job",
			files: map[string]string{"stack.yml": "services:\n  migrate:\n    image: app\n    deploy:\n      mode: replicated-job\n      update_config:\n        parallelism: 1\n"},
			want:  `stack.yml:6:7: services.migrate.deploy.update_config: update_config cannot be used with mode "replicated-job" (Swarm rejects it: jobs are re-run, not updated)`,
		},
		{
			name:  "bad port spec",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    ports:\n      - \"8080:80\"\n      - \"80:abc\"\n"},
			want:  `stack.yml:6:9: services.web.ports[1]: invalid port "80:abc": invalid containerPort: abc`,
		},
		{
			name:  "port range mismatch",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    ports:\n      - \"8000-8001:80\"\n"},
			want:  `stack.yml:5:9: services.web.ports: published range 8000-8001 (2 ports) does not match target port 80 (1 port)`,
		},
		{
			name:  "bad port mode",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    ports:\n      - target: 80\n        published: 8080\n        mode: hots\n"},
			want:  `stack.yml:5:9: services.web.ports: unknown port mode "hots" (use ingress or host)`,
		},
		{
			name:  "bad duration",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      update_config:\n        delay: 10 parsecs\n"},
			want:  `stack.yml:6:16: services.web.deploy.update_config.delay: invalid duration "10 parsecs" (use e.g. 10s, 1m30s, 500ms)`,
		},
		{
			name:  "bad memory unit",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      resources:\n        limits:\n          memory: 10XB\n"},
			want:  `stack.yml:7:19: services.web.deploy.resources.limits.memory: invalid size "10XB" (use e.g. 512M, 1G)`,
		},
		{
			name:  "memory below swarm minimum",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      resources:\n        reservations:\n          memory: 1M\n"},
			want:  `stack.yml:7:19: services.web.deploy.resources.reservations.memory: below Swarm's minimum of 4MiB`,
		},
		{
			name:  "bad cpus",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      resources:\n        limits:\n          cpus: lots\n"},
			want:  `stack.yml:7:17: services.web.deploy.resources.limits.cpus: expected a number, got "lots"`,
		},
		{
			name:  "forbidden keys",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    cpu_shares: 512\n  db:\n    image: postgres\n    mem_limit: 1g\n"},
			want:  `stack.yml:7:5: services.db.mem_limit: not supported by docker stack deploy (use deploy.resources.limits.memory); also refused: services.web.cpu_shares (stack.yml:4:5)`,
		},
		{
			name:  "forbidden extends",
			files: map[string]string{"stack.yml": "services:\n  base:\n    image: nginx\n  web:\n    extends: base\n"},
			want:  `stack.yml:5:5: services.web.extends: not supported by docker stack deploy (stack deploy does not support extends; inline the service)`,
		},
		{
			name: "broken override",
			files: map[string]string{
				"stack.yml":          "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: 2\n",
				"stack.override.yml": "services:\n  web:\n    deploy:\n      replicas: lots\n",
			},
			args: []string{"stack.yml", "stack.override.yml"},
			want: `stack.override.yml:4:17: services.web.deploy.replicas: expected an integer, got "lots"`,
		},
		{
			name: "override with unknown key",
			files: map[string]string{
				"stack.yml":          okWeb,
				"stack.override.yml": "services:\n  web:\n    deploy:\n      update_config:\n        oder: start-first\n",
			},
			args: []string{"stack.yml", "stack.override.yml"},
			want: `stack.override.yml:5:9: services.web.deploy.update_config.oder: unknown key "oder" (did you mean "order"?)`,
		},
		{
			name: "override yaml syntax",
			files: map[string]string{
				"stack.yml":          okWeb,
				"stack.override.yml": "services:\n  web:\n    image: [nginx\n",
			},
			args: []string{"stack.yml", "stack.override.yml"},
			want: `^stack\.override\.yml:4:1: invalid YAML: did not find expected .*flow sequence at line 3, column 12`,
		},
		{
			name:  "enum value",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      update_config:\n        order: sideways\n"},
			want:  `stack.yml:6:16: services.web.deploy.update_config.order: must be one of 'start-first', 'stop-first'`,
		},
		{
			name:  "bad failure action",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      rollback_config:\n        failure_action: rollback\n"},
			want:  `stack.yml:6:25: services.web.deploy.rollback_config.failure_action: unknown failure_action "rollback" (use pause, continue)`,
		},
		{
			name:  "secret without source",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    secrets: [s]\nsecrets:\n  s:\n    labels: {a: b}\n"},
			want:  `stack.yml:6:3: secrets.s: needs file:, environment:, driver: or external: true`,
		},
		{
			name:  "invalid interpolation",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx:${TAG\n"},
			want:  `stack.yml:3:12: services.web.image: invalid interpolation format (write a literal "$" as "$$")`,
		},
		{
			name:  "service name invalid in swarm",
			files: map[string]string{"stack.yml": "services:\n  web.api:\n    image: nginx\n"},
			want:  `stack.yml:2:3: services.web.api: Swarm cannot name this service "app_web.api": use letters, digits, "-" and "_", at most 63 characters with the stack name`,
		},
		{
			name:  "bad healthcheck test",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    healthcheck:\n      test: [\"curl\", \"-f\", \"http://localhost\"]\n"},
			want:  `stack.yml:5:13: services.web.healthcheck.test: must start with "CMD", "CMD-SHELL" or "NONE"`,
		},
		{
			name:  "anchor merged forbidden key",
			files: map[string]string{"stack.yml": "x-common: &common\n  cpu_quota: 50000\nservices:\n  web:\n    <<: *common\n    image: nginx\n"},
			want:  `stack.yml:2:3: services.web.cpu_quota: not supported by docker stack deploy (use deploy.resources.limits.cpus)`,
		},
		{
			name:  "no services",
			files: map[string]string{"stack.yml": "networks:\n  front: {}\n"},
			want:  `stack.yml: no services defined`,
		},
		{
			name: "required variable in override",
			files: map[string]string{
				"stack.yml":          okWeb,
				"stack.override.yml": "services:\n  web:\n    image: 'nginx:${TAG:?set TAG to the release}'\n",
			},
			args: []string{"stack.yml", "stack.override.yml"},
			want: `stack.override.yml:3:19: services.web.image: required variable TAG is not set (set TAG to the release)`,
		},
		{
			name:  "first of several missing variables",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx:${A:?}\n  db:\n    image: pg:${B:?}\n"},
			want:  `stack.yml:5:15: services.db.image: required variable B is not set`,
		},
		{
			name:  "variable with a bad integer",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: ${N}\n"},
			env:   []string{"N=many"},
			want:  `stack.yml:5:17: services.web.deploy.replicas: expected an integer, got "many"`,
		},
		{
			name:  "bad healthcheck duration",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: ten\n"},
			want:  `stack.yml:6:17: services.web.healthcheck.interval: invalid duration "ten" (use e.g. 10s, 1m30s, 500ms)`,
		},
		{
			name:  "replicas with global-job",
			files: map[string]string{"stack.yml": "services:\n  prune:\n    image: docker\n    deploy:\n      mode: global-job\n      replicas: 1\n"},
			want:  `stack.yml:6:7: services.prune.deploy.replicas: replicas cannot be used with mode "global-job" (only replicated and replicated-job)`,
		},
		{
			name:  "env file is a directory",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    env_file: conf\n", "conf/x": ""},
			want:  `stack.yml:4:15: services.web.env_file: env file conf is a directory`,
		},
		{
			name:  "config without source",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    configs: [c]\nconfigs:\n  c:\n    external: false\n"},
			want:  `stack.yml:6:3: configs.c: needs file:, content:, environment: or external: true`,
		},
		{
			name:  "no usable directory name",
			setup: func(t *testing.T, dir string) { writeFiles(t, dir, map[string]string{"__/stack.yml": okWeb}) },
			args:  []string{"__/stack.yml"},
			want:  `--stack: cannot derive a stack name from directory "__": add a top-level name: or use --stack`,
		},
		{
			name:  "path through a file",
			files: map[string]string{"stack.yml": okWeb},
			args:  []string{"stack.yml/other.yml"},
			want:  `stack.yml/other.yml: cannot read: not a directory`,
		},
		{
			name:  "duplicate key in override",
			files: map[string]string{"stack.yml": okWeb, "prod.yml": "services:\n  web:\n    deploy: {replicas: 2, replicas: 3}\n"},
			args:  []string{"stack.yml", "prod.yml"},
			want:  `prod.yml:3:27: services.web.deploy.replicas: duplicate key "replicas" (first defined at line 3)`,
		},
		{
			name:  "cpus below swarm minimum",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      resources:\n        limits:\n          cpus: \"0.0001\"\n"},
			want:  `stack.yml:7:17: services.web.deploy.resources.limits.cpus: below Swarm's minimum of 0.001`,
		},
		{
			name:  "published port out of range",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    ports:\n      - target: 80\n        published: \"70000\"\n"},
			want:  `stack.yml:5:9: services.web.ports: invalid published port "70000" (use a port or a range like 8000-8010, 1 to 65535)`,
		},
		{
			name:  "unreadable file",
			files: map[string]string{"stack.yml": okWeb},
			setup: func(t *testing.T, dir string) {
				if os.Geteuid() == 0 {
					t.Skip("root reads any file")
				}
				os.Chmod(filepath.Join(dir, "stack.yml"), 0)
			},
			want: `stack.yml: cannot read: permission denied`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "app")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			writeFiles(t, dir, tc.files)
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			t.Chdir(dir)
			args := tc.args
			if args == nil {
				args = []string{"stack.yml"}
			}
			env := tc.env
			if env == nil {
				env = []string{}
			}
			_, err := Load(context.Background(), Options{Files: args, StackName: tc.stack, Environ: env})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %T %v, want *Error", err, err)
			}
			got := err.Error()
			if strings.ContainsAny(got, "\n") {
				t.Errorf("message has a newline: %q", got)
			}
			if strings.HasPrefix(tc.want, "^") {
				if !regexp.MustCompile(tc.want).MatchString(got) {
					t.Errorf("got  %s\nwant match %s", got, tc.want)
				}
			} else if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
