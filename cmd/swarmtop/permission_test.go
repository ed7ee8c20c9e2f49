package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swarmtop/swarmtop/internal/enginetest"
)

// A user outside the docker group gets a one-line "permission denied" with
// its hint and exit 4, from the real socket: the test runs the binary as
// nobody through setpriv.
func TestPermissionDeniedOnTheSocket(t *testing.T) {
	enginetest.Engine(t)
	if os.Geteuid() != 0 {
		t.Skip("needs root to run swarmtop as another user")
	}
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("setpriv (util-linux) not installed")
	}
	socket := "/var/run/docker.sock"
	if h, ok := strings.CutPrefix(os.Getenv("DOCKER_HOST"), "unix://"); ok {
		socket = h
	}
	// A copy nobody can run: the test binary's directory is private.
	dir, err := os.MkdirTemp("", "swarmtop-perm")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "swarmtop")
	data, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", bin, "status", "-s", "any")
	cmd.Env = []string{"HOME=" + dir, "DOCKER_HOST=unix://" + socket, "PATH=/usr/bin:/bin"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 4 {
		t.Fatalf("want exit 4, got %v; stderr:\n%s", err, stderr.String())
	}
	msg := strings.TrimRight(stderr.String(), "\n")
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "permission denied") || !strings.Contains(msg, "docker group") {
		t.Errorf("want one line with the cause and the hint, got:\n%s", msg)
	}
}
