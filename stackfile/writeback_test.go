package stackfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// loadIn loads the named files of dir with an empty environment.
func loadIn(t *testing.T, dir string, files ...string) *Stack {
	t.Helper()
	var paths []string
	for _, f := range files {
		paths = append(paths, filepath.Join(dir, f))
	}
	st, err := Load(context.Background(), Options{Files: paths, Environ: []string{}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return st
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// replicasOf loads dir again and returns the service's replica count.
func replicasOf(t *testing.T, dir, service string, files ...string) uint64 {
	t.Helper()
	svc, ok := loadIn(t, dir, files...).Service(service)
	if !ok || svc.Replicas == nil {
		t.Fatalf("after write-back, %s has no replicas: %+v", service, svc)
	}
	return *svc.Replicas
}

// assertNoTempFiles checks the atomic write left nothing behind.
func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}

// lineOf is the 1-based line of the first occurrence of sub.
func lineOf(s, sub string) int {
	return strings.Count(s[:strings.Index(s, sub)], "\n") + 1
}

// {{N}} marks the replica count in these files: after write-back the file
// must equal the template with only {{N}} replaced by the new count.
const commentedStack = `# The shop.   replicas: 2 here is a comment, not a value
version: "3.8"   # legacy, ignored

services:

   # The web tier.
   web:
        image: nginx:1.27   # pinned

        deploy:
             # How many: scaled live by swarmtop.
             replicas: {{N}}   # inline comment: replicas: 2
             # After the value.

             update_config:
                  order: start-first


   worker:
        image: busybox:1.36
        deploy:
             replicas: 2
`

func TestWriteBackReplicasChangesOnlyTheNumber(t *testing.T) {
	tests := []struct {
		name     string
		tmpl     string
		old, new string
		mode     os.FileMode
	}{
		{"comments, blank lines, odd indentation", commentedStack, "2", "4", 0o644},
		{"longer number", commentedStack, "2", "10", 0o644},
		{"shorter number", commentedStack, "12", "3", 0o644},
		{"file mode kept", commentedStack, "2", "4", 0o600},
		{"double quoted", strings.Replace(commentedStack, "{{N}}", `"{{N}}"`, 1), "2", "4", 0o644},
		{"single quoted", strings.Replace(commentedStack, "{{N}}", `'{{N}}'`, 1), "2", "4", 0o644},
		{"CRLF line endings", strings.ReplaceAll(commentedStack, "\n", "\r\n"), "2", "4", 0o644},
		{"no trailing newline",
			"services:\n  web:\n    image: nginx\n    deploy:\n      replicas: {{N}}", "2", "4", 0o644},
		{"no trailing newline after a comment",
			"services:\n  web:\n    image: nginx\n    deploy:\n      replicas: {{N}} # last", "2", "4", 0o644},
		{"flow mapping with non-ASCII before the value",
			"services:\n  web: {image: nginx, deploy: {labels: {team: \"café ☕\"}, replicas: {{N}}}}\n", "2", "4", 0o644},
		{"tagged value", "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: !!int {{N}}\n", "2", "4", 0o644},
		{"anchored value nobody else uses",
			"services:\n  web:\n    image: nginx\n    deploy:\n      replicas: &web_replicas {{N}}\n", "2", "4", 0o644},
		{"anchor merged into this service only", `x-web: &web
  image: nginx
  deploy:
    replicas: {{N}}
services:
  web:
    <<: *web
  worker:
    image: busybox
`, "2", "4", 0o644},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "stack.yml")
			before := strings.Replace(tt.tmpl, "{{N}}", tt.old, 1)
			if err := os.WriteFile(path, []byte(before), tt.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil { // umask-proof
				t.Fatal(err)
			}
			st := loadIn(t, dir, "stack.yml")

			res, err := WriteBackReplicas(st, "web", atou(tt.new))
			if err != nil {
				t.Fatal(err)
			}

			want := strings.Replace(tt.tmpl, "{{N}}", tt.new, 1)
			if got := readString(t, path); got != want {
				t.Errorf("file =\n%q\nwant\n%q", got, want)
			}
			wantRes := WriteBackResult{File: path, Line: lineOf(tt.tmpl, "{{N}}"), Old: tt.old, New: tt.new}
			if res != wantRes {
				t.Errorf("result = %+v, want %+v", res, wantRes)
			}
			if info, err := os.Stat(path); err != nil || info.Mode().Perm() != tt.mode {
				t.Errorf("mode = %v (%v), want %v", info.Mode().Perm(), err, tt.mode)
			}
			if got := replicasOf(t, dir, "web", "stack.yml"); got != atou(tt.new) {
				t.Errorf("reloaded replicas = %d, want %s", got, tt.new)
			}
			assertNoTempFiles(t, dir)
		})
	}
}

func atou(s string) uint64 {
	var n uint64
	for _, c := range s {
		n = n*10 + uint64(c-'0')
	}
	return n
}

func TestWriteBackReplicasOverrideWins(t *testing.T) {
	const stack = "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: 2\n"
	tests := []struct {
		name      string
		override  string
		wantFile  string
		wantStack string
		wantOver  string
	}{
		{
			name:      "override sets replicas",
			override:  "services:\n  web:\n    deploy:\n      replicas: 3 # demo\n",
			wantFile:  "demo.yml",
			wantStack: stack,
			wantOver:  "services:\n  web:\n    deploy:\n      replicas: 5 # demo\n",
		},
		{
			name:      "override leaves replicas alone",
			override:  "services:\n  web:\n    deploy:\n      update_config:\n        order: start-first\n",
			wantFile:  "stack.yml",
			wantStack: "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: 5\n",
			wantOver:  "services:\n  web:\n    deploy:\n      update_config:\n        order: start-first\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"stack.yml": stack, "demo.yml": tt.override})
			st := loadIn(t, dir, "stack.yml", "demo.yml")

			res, err := WriteBackReplicas(st, "web", 5)
			if err != nil {
				t.Fatal(err)
			}
			if res.File != filepath.Join(dir, tt.wantFile) || res.Added {
				t.Errorf("result = %+v, want a change in %s", res, tt.wantFile)
			}
			if got := readString(t, filepath.Join(dir, "stack.yml")); got != tt.wantStack {
				t.Errorf("stack.yml =\n%s\nwant\n%s", got, tt.wantStack)
			}
			if got := readString(t, filepath.Join(dir, "demo.yml")); got != tt.wantOver {
				t.Errorf("demo.yml =\n%s\nwant\n%s", got, tt.wantOver)
			}
			if got := replicasOf(t, dir, "web", "stack.yml", "demo.yml"); got != 5 {
				t.Errorf("reloaded replicas = %d, want 5", got)
			}
		})
	}
}

func TestWriteBackReplicasAddsMissingKey(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string // stack.yml and, if set, demo.yml
		wantFile string
		want     string // wantFile's content after the write
		wantLine int
	}{
		{
			name: "under an existing deploy block, before its comments",
			files: map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:   # tuned\n" +
				"      # Roll without downtime.\n      update_config:\n        order: start-first\n"},
			wantFile: "stack.yml",
			want: "services:\n  web:\n    image: nginx\n    deploy:   # tuned\n      replicas: 4\n" +
				"      # Roll without downtime.\n      update_config:\n        order: start-first\n",
			wantLine: 5,
		},
		{
			name: "under the last file's deploy block",
			files: map[string]string{
				"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      mode: replicated\n",
				"demo.yml":  "services:\n  web:\n    deploy:\n      update_config:\n        delay: 1s\n",
			},
			wantFile: "demo.yml",
			want:     "services:\n  web:\n    deploy:\n      replicas: 4\n      update_config:\n        delay: 1s\n",
			wantLine: 4,
		},
		{
			name:     "into an empty flow deploy",
			files:    map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    deploy: {}\n"},
			wantFile: "stack.yml",
			want:     "services:\n  web:\n    image: nginx\n    deploy: {replicas: 4}\n",
			wantLine: 4,
		},
		{
			name: "a deploy block in the first file declaring the service, in its indentation and line endings",
			files: map[string]string{
				"stack.yml": "services:\r\n   web:   # front\r\n      image: nginx\r\n",
				"demo.yml":  "services:\n  web:\n    image: nginx:1.27\n",
			},
			wantFile: "stack.yml",
			want:     "services:\r\n   web:   # front\r\n      deploy:\r\n         replicas: 4\r\n      image: nginx\r\n",
			wantLine: 4,
		},
		{
			name:     "a deploy block in a service merging an anchor without deploy",
			files:    map[string]string{"stack.yml": "x-base: &base\n  image: nginx\nservices:\n  web:\n    <<: *base\n  api:\n    <<: *base\n"},
			wantFile: "stack.yml",
			want:     "x-base: &base\n  image: nginx\nservices:\n  web:\n    deploy:\n      replicas: 4\n    <<: *base\n  api:\n    <<: *base\n",
			wantLine: 6,
		},
		{
			name:     "a deploy entry in a flow service",
			files:    map[string]string{"stack.yml": "services:\n  web: { image: nginx }\n"},
			wantFile: "stack.yml",
			want:     "services:\n  web: { deploy: {replicas: 4}, image: nginx }\n",
			wantLine: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			files := []string{"stack.yml"}
			if _, ok := tt.files["demo.yml"]; ok {
				files = append(files, "demo.yml")
			}
			st := loadIn(t, dir, files...)

			res, err := WriteBackReplicas(st, "web", 4)
			if err != nil {
				t.Fatal(err)
			}
			wantRes := WriteBackResult{File: filepath.Join(dir, tt.wantFile), Line: tt.wantLine, New: "4", Added: true}
			if res != wantRes {
				t.Errorf("result = %+v, want %+v", res, wantRes)
			}
			if got := readString(t, filepath.Join(dir, tt.wantFile)); got != tt.want {
				t.Errorf("%s =\n%q\nwant\n%q", tt.wantFile, got, tt.want)
			}
			for name, content := range tt.files {
				if got := readString(t, filepath.Join(dir, name)); name != tt.wantFile && got != content {
					t.Errorf("%s changed:\n%s", name, got)
				}
			}
			if got := replicasOf(t, dir, "web", files...); got != 4 {
				t.Errorf("reloaded replicas = %d, want 4", got)
			}
		})
	}
}

func TestWriteBackReplicasRefuses(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		environ []string
		service string
		want    string // the whole error message
	}{
		{
			name: "variable defined in .env",
			files: map[string]string{
				"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: ${WEB_REPLICAS:-2}\n",
				".env":      "# counts\nWEB_REPLICAS=3\n",
			},
			service: "web",
			want: `stack.yml:5:17: services.web.deploy.replicas: value "${WEB_REPLICAS:-2}" comes from variable WEB_REPLICAS: ` +
				`change WEB_REPLICAS in .env:2 (a value set in the environment wins over it)`,
		},
		{
			name: "variable from the environment",
			files: map[string]string{
				"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: \"$WEB_REPLICAS\"\n",
			},
			environ: []string{"WEB_REPLICAS=3"},
			service: "web",
			want: `stack.yml:5:18: services.web.deploy.replicas: value "$WEB_REPLICAS" comes from variable WEB_REPLICAS: ` +
				`set WEB_REPLICAS in the environment or in .env`,
		},
		{
			name: "value in an anchor other services merge",
			files: map[string]string{"stack.yml": `x-django: &django
  image: shop/django:42
  deploy:
    replicas: 2
services:
  web:
    <<: *django
  worker:
    <<: *django
`},
			service: "web",
			want: "stack.yml:4:15: services.web.deploy.replicas: the value is in anchor &django, " +
				"also used by services.worker (line 9): writing it would change both",
		},
		{
			name: "scalar anchor also used elsewhere",
			files: map[string]string{"stack.yml": `services:
  web:
    image: nginx
    deploy:
      replicas: &n 2
      update_config:
        parallelism: *n
`},
			service: "web",
			want: "stack.yml:5:17: services.web.deploy.replicas: the value is in anchor &n, " +
				"also used by services.web.deploy.update_config.parallelism (line 7): writing it would change both",
		},
		{
			name: "deploy shared through an anchor, nothing to edit",
			files: map[string]string{"stack.yml": `x-deploy: &deploy
  update_config:
    order: start-first
services:
  web:
    image: nginx
    deploy: *deploy
  api:
    image: nginx
    deploy: *deploy
`},
			service: "web",
			want: "stack.yml:7:5: services.web.deploy: the value is in anchor &deploy, " +
				"also used by services.api.deploy (line 10): adding replicas there would change both",
		},
		{
			name:    "service in no file",
			files:   map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n"},
			service: "nope",
			want:    `stack.yml: services.nope: no service "nope" in the stack`,
		},
		{
			name:    "global service",
			files:   map[string]string{"stack.yml": "services:\n  agent:\n    image: agent\n    deploy:\n      mode: global\n"},
			service: "agent",
			want:    `stack.yml:5:13: services.agent.deploy.mode: service "agent" runs in global mode: it has no replica count to write`,
		},
		{
			name:    "not a plain number",
			files:   map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: 0x2\n"},
			service: "web",
			want:    `stack.yml:5:17: services.web.deploy.replicas: value "0x2" is not a plain number; change it by hand`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, tt.files)
			t.Chdir(dir) // errors name files relative to here
			st, err := Load(context.Background(), Options{Files: []string{"stack.yml"}, Environ: tt.environ})
			if err != nil {
				t.Fatal(err)
			}

			_, err = WriteBackReplicas(st, tt.service, 7)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error = %v, want an *Error", err)
			}
			if err.Error() != tt.want {
				t.Errorf("error =\n%s\nwant\n%s", err, tt.want)
			}
			if got := readString(t, "stack.yml"); got != tt.files["stack.yml"] {
				t.Errorf("stack.yml changed:\n%s", got)
			}
		})
	}
}

func TestWriteBackReplicasRefusesStaleFile(t *testing.T) {
	const stack = "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: 2\n"
	tests := []struct {
		name     string
		loaded   string // the file when loaded
		onDisk   string // the file when written back
		wantFrag string
	}{
		{"value edited", stack, strings.Replace(stack, "2", "3", 1), "(it now says 3)"},
		{"value removed", stack, "services:\n  web:\n    image: nginx\n", "(no file sets replicas any more)"},
		{"value added", "services:\n  web:\n    image: nginx\n", stack, "(it now says 2)"},
		{"service removed", "services:\n  web:\n    image: nginx\n", "services:\n  api:\n    image: nginx\n",
			"(no file declares the service any more)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"stack.yml": tt.loaded})
			st := loadIn(t, dir, "stack.yml")
			writeFiles(t, dir, map[string]string{"stack.yml": tt.onDisk})

			_, err := WriteBackReplicas(st, "web", 5)
			if !errors.Is(err, ErrStale) || !strings.Contains(err.Error(), tt.wantFrag) {
				t.Fatalf("error = %v, want ErrStale with %q", err, tt.wantFrag)
			}
			if got := readString(t, filepath.Join(dir, "stack.yml")); got != tt.onDisk {
				t.Errorf("file clobbered:\n%s", got)
			}
		})
	}
}

// An edit landing while the temp file is written must not be overwritten.
func TestReplaceFileRefusesConcurrentEdit(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "stack.yml")
	writeFiles(t, dir, map[string]string{"stack.yml": "replicas: 3 # edited meanwhile\n"})

	err := replaceFile(path, []byte("replicas: 2\n"), []byte("replicas: 5\n"))
	if !errors.Is(err, ErrStale) {
		t.Fatalf("error = %v, want ErrStale", err)
	}
	if got := readString(t, path); got != "replicas: 3 # edited meanwhile\n" {
		t.Errorf("file clobbered: %q", got)
	}
	assertNoTempFiles(t, dir)
}

func TestWriteBackReplicasUnchangedValueWritesNothing(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: 2\n"})
	path := filepath.Join(dir, "stack.yml")
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	st := loadIn(t, dir, "stack.yml")

	res, err := WriteBackReplicas(st, "web", 2)
	if err != nil {
		t.Fatal(err)
	}
	if res != (WriteBackResult{File: path, Line: 5, Old: "2", New: "2"}) {
		t.Errorf("result = %+v", res)
	}
	if info, _ := os.Stat(path); !info.ModTime().Equal(old) {
		t.Errorf("file rewritten: mtime %v, want %v", info.ModTime(), old)
	}
}

func TestWriteBackReplicasThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"real/stack.yml": "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: 2\n"})
	link := filepath.Join(dir, "stack.yml")
	if err := os.Symlink(filepath.Join("real", "stack.yml"), link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	st := loadIn(t, dir, "stack.yml")

	if _, err := WriteBackReplicas(st, "web", 3); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced by a file")
	}
	if got := readString(t, filepath.Join(dir, "real", "stack.yml")); !strings.Contains(got, "replicas: 3\n") {
		t.Errorf("target not written:\n%s", got)
	}
}

// The example stack with its demo override: scaling web to 4 changes one
// line of stack.yml (demo.yml sets no replicas for web) and nothing else.
func TestWriteBackReplicasDjangoExample(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "examples", "django")
	for _, name := range []string{"stack.yml", "demo.yml", "nginx/shop.conf", "secrets/django_secret_key.example"} {
		writeFiles(t, dir, map[string]string{name: readString(t, filepath.Join(src, name))})
	}
	before := loadIn(t, dir, "stack.yml", "demo.yml")
	stackBefore := readString(t, filepath.Join(dir, "stack.yml"))
	demoBefore := readString(t, filepath.Join(dir, "demo.yml"))

	res, err := WriteBackReplicas(before, "web", 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	if got, want := res.String(), "stack.yml:46: replicas 2 → 4"; got != want {
		t.Errorf("result = %q, want %q", got, want)
	}

	oldLines := strings.SplitAfter(stackBefore, "\n")
	newLines := strings.SplitAfter(readString(t, "stack.yml"), "\n")
	if len(oldLines) != len(newLines) {
		t.Fatalf("line count %d → %d", len(oldLines), len(newLines))
	}
	for i := range oldLines {
		if oldLines[i] != newLines[i] && (i+1 != 46 || newLines[i] != "      replicas: 4\n") {
			t.Errorf("line %d changed: %q → %q", i+1, oldLines[i], newLines[i])
		}
	}
	if readString(t, "demo.yml") != demoBefore {
		t.Error("demo.yml changed")
	}

	after := loadIn(t, dir, "stack.yml", "demo.yml")
	want := before.Services
	for i := range want {
		if want[i].Name == "web" {
			want[i].Replicas = ptr(uint64(4))
		}
	}
	if !reflect.DeepEqual(after.Services, want) {
		t.Errorf("services after write-back =\n%s\nwant\n%s", dump(after.Services), dump(want))
	}
}
