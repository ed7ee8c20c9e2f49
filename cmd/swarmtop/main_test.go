package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmtop/swarmtop/internal/enginetest"
)

// binary is the swarmtop built once for this package's tests, so they run
// the real program with its real exit statuses.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "swarmtop-cmd")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "swarmtop")
	build := exec.Command("go", "build", "-ldflags", "-X main.version=test-1 -X main.commit=abc123", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build swarmtop:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runSwarmtop runs the binary and returns stdout, stderr and exit status.
func runSwarmtop(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &exit):
		return stdout.String(), stderr.String(), exit.ExitCode()
	default:
		t.Fatalf("run swarmtop: %v", err)
		return "", "", -1
	}
}

var djangoServices = []string{
	"celery-beat", "celery-worker", "flower", "media", "memcached-large", "memcached-medium",
	"memcached-small", "migrate", "nginx", "rabbitmq", "static", "web",
}

func TestValidateExampleStack(t *testing.T) {
	tests := []struct {
		name      string
		files     []string
		wantImage string
	}{
		{"production file", []string{"stack.yml"}, "registry.example.com/shop/django:42"},
		{"with demo override", []string{"stack.yml", "demo.yml"}, "swarmtop/standin:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"validate"}
			for _, f := range tt.files {
				args = append(args, "-c", filepath.Join("..", "..", "examples", "django", f))
			}
			stdout, stderr, code := runSwarmtop(t, nil, args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr: %s", code, stderr)
			}
			rows := serviceRows(stdout)
			if len(rows) != len(djangoServices) {
				t.Fatalf("got %d service rows, want %d:\n%s", len(rows), len(djangoServices), stdout)
			}
			for i, name := range djangoServices {
				if rows[i][0] != name {
					t.Errorf("row %d is %q, want %q", i, rows[i][0], name)
				}
			}
			if !strings.Contains(stdout, tt.wantImage) {
				t.Errorf("output lacks image %s:\n%s", tt.wantImage, stdout)
			}
			declared := "networks: backend, frontend\nsecrets: django_secret_key\nconfigs: nginx_conf\nvolumes: media, rabbitmq-data\n"
			if !strings.HasSuffix(stdout, "\n\n"+declared) {
				t.Errorf("output does not end with the declared objects %q:\n%s", declared, stdout)
			}
		})
	}
}

// serviceRows returns the fields of the table rows between the header and
// the first blank line.
func serviceRows(out string) [][]string {
	var rows [][]string
	lines := strings.Split(out, "\n")
	for _, line := range lines[1:] {
		if strings.TrimSpace(line) == "" {
			break
		}
		rows = append(rows, strings.Fields(line))
	}
	return rows
}

func TestValidateBadInputExitsTwoWithOneLine(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "stack.yml")
	if err := os.WriteFile(bad, []byte("services:\n  web:\n    image: x\n    deploy:\n      replicaz: 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no file", []string{"validate"}, "no stack file"},
		{"missing file", []string{"validate", "-c", filepath.Join(dir, "nope.yml")}, "nope.yml"},
		{"unknown key", []string{"validate", "-c", bad}, "replicaz"},
		{"unknown flag", []string{"validate", "--frobnicate"}, "frobnicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := runSwarmtop(t, nil, tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if lines := strings.Count(strings.TrimRight(stderr, "\n"), "\n"); lines != 0 || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr should be one line naming %q, got:\n%s", tt.want, stderr)
			}
		})
	}
}

func TestVersionPrintsBuildAndEngine(t *testing.T) {
	e := enginetest.Engine(t)
	stdout, stderr, code := runSwarmtop(t, nil, "version")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	wantAPI := "API " + e.APIVersion + " (negotiated)"
	for _, want := range []string{"swarmtop test-1", "commit abc123", "go1.", wantAPI} {
		if !strings.Contains(stdout, want) {
			t.Errorf("version output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestVersionWithoutEngineStillPrints(t *testing.T) {
	stdout, _, code := runSwarmtop(t, []string{"DOCKER_HOST=unix:///nonexistent/docker.sock"}, "version")
	if code != 0 || !strings.Contains(stdout, "engine: not reachable") || !strings.Contains(stdout, "/nonexistent/docker.sock") {
		t.Errorf("exit %d, output:\n%s", code, stdout)
	}
}
