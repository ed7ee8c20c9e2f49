package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The file an incident-time `scale --write-back` edits: comments, odd
// spacing and a variable-driven service must all survive byte for byte.
const writeBackFile = `# The shop, trimmed for the test.
services:
  web:
    image: swarmtop/standin:1   # the stand-in
    deploy:
      # raised during the last incident
      replicas: 1   # keep in step with the load
  worker:
    image: swarmtop/standin:1
    deploy:
      replicas: ${WORKER_REPLICAS:-1}
`

func TestScaleWriteBackOnTheSwarm(t *testing.T) {
	t.Parallel()
	stack := webStack(t, 1)
	file := filepath.Join(t.TempDir(), "stack.yml")
	if err := os.WriteFile(file, []byte(writeBackFile), 0o640); err != nil {
		t.Fatal(err)
	}

	stdout, stderr, code := runSwarmtop(t, nil, "scale", "web=2", "-c", file, "-s", stack, "--write-back")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "stack.yml:7: replicas 1 → 2") || !strings.Contains(stdout, "web converged") {
		t.Errorf("output should report the write-back and the verdict:\n%s", stdout)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(writeBackFile, "replicas: 1   #", "replicas: 2   #", 1)
	if string(got) != want {
		t.Errorf("file after write-back:\n%s\nwant only the web count changed:\n%s", got, want)
	}
	if info, _ := os.Stat(file); info.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640 kept", info.Mode().Perm())
	}
}

func TestScaleWriteBackNamesTheVariable(t *testing.T) {
	t.Parallel()
	stack := webStack(t, 1)
	file := filepath.Join(t.TempDir(), "stack.yml")
	content := "services:\n  web:\n    image: swarmtop/standin:1\n    deploy:\n      replicas: ${WEB_REPLICAS:-1}\n"
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}

	_, stderr, code := runSwarmtop(t, nil, "scale", "web=2", "-c", file, "-s", stack, "--write-back", "--detach")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "WEB_REPLICAS") || !strings.Contains(stderr, "stack.yml:5") {
		t.Errorf("stderr should name the variable and its line:\n%s", stderr)
	}
	if got, _ := os.ReadFile(file); string(got) != content {
		t.Errorf("a count taken from a variable must not be written; file is now:\n%s", got)
	}
}
