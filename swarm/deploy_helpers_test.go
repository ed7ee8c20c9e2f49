package swarm_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/stackfile"
	sw "github.com/swarmtop/swarmtop/swarm"
)

// depStackYAML is the small stack the deploy tests run: a migrate job, a
// web service with a healthcheck, a worker, a network, a secret and a
// config. Timings are cut so that everything converges in seconds. The
// tests edit it with strings.Replace on the marked lines.
const depStackYAML = `
services:
  migrate:
    image: swarmtop/standin:1
    command: ["migrate"]
    environment:
      STANDIN_MIGRATE_TIME: 1s
      STANDIN_LOG_RATE: "0"
    secrets: [app_secret]
    deploy:
      mode: replicated-job
      restart_policy:
        condition: none
  web:
    image: swarmtop/standin:1 # web-image
    command: ["web"]
    environment:
      STANDIN_LOG_RATE: "0"
      GREETING: hello # web-env
    networks: [backend]
    secrets: [app_secret]
    configs:
      - source: app_config
        target: /etc/app.conf
    healthcheck:
      test: ["CMD", "/standin", "health"]
      interval: 1s
      timeout: 2s
      retries: 3
    stop_grace_period: 1s
    deploy:
      replicas: 2 # web-replicas
      update_config:
        parallelism: 0
        monitor: 1s
        order: start-first
  worker:
    image: swarmtop/standin:1
    command: ["celery-worker"]
    environment:
      STANDIN_LOG_RATE: "0"
    networks: [backend]
    stop_grace_period: 1s
    deploy:
      replicas: 1
      update_config:
        monitor: 1s
networks:
  backend:
secrets:
  app_secret:
    file: ./secret.txt
configs:
  app_config:
    file: ./app.conf
`

// depSetup connects, names a stack of the test's own and bounds the test.
func depSetup(t *testing.T) (*sw.Engine, string, context.Context) {
	t.Helper()
	return engineSetup(t, 3*time.Minute)
}

// depDeployed is depSetup, then the small stack written into a temporary
// dir, deployed and converged; it returns the dir with the rest.
func depDeployed(t *testing.T) (*sw.Engine, string, context.Context, string) {
	t.Helper()
	e, stack, ctx := depSetup(t)
	dir := t.TempDir()
	res := depDeploy(ctx, t, e, depLoad(t, stack, nil, depWriteStack(t, dir)), sw.DeployOptions{})
	depConverge(ctx, t, e, res.Changes)
	return e, stack, ctx, dir
}

// depWriteStack writes the stack file and the secret and config it reads
// into dir (created if needed), applying the replacements (old, new, ...).
func depWriteStack(t *testing.T, dir string, replacements ...string) string {
	t.Helper()
	yml := strings.NewReplacer(replacements...).Replace(depStackYAML)
	files := map[string]string{"stack.yml": yml, "app.conf": "listen 8000\n"}
	if _, err := os.Stat(filepath.Join(dir, "secret.txt")); err != nil {
		files["secret.txt"] = "s3cret\n"
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "stack.yml")
}

func depLoad(t *testing.T, stack string, env []string, files ...string) *stackfile.Stack {
	t.Helper()
	st, err := stackfile.Load(context.Background(), stackfile.Options{Files: files, StackName: stack, Environ: append(os.Environ(), env...)})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return st
}

// depDeploy deploys and fails the test on an error.
func depDeploy(ctx context.Context, t *testing.T, e *sw.Engine, st *stackfile.Stack, opts sw.DeployOptions) *sw.DeployResult {
	t.Helper()
	res, err := e.Deploy(ctx, st, opts)
	if err != nil {
		if res != nil {
			t.Logf("objects: %+v", res.Objects)
		}
		t.Fatalf("deploy: %v", err)
	}
	return res
}

// depConverge follows the changes and requires every one to converge.
func depConverge(ctx context.Context, t *testing.T, e *sw.Engine, changes []sw.Change) []sw.Verdict {
	t.Helper()
	verdicts := e.Converge(ctx, changes, sw.ConvergeOptions{PollInterval: 250 * time.Millisecond, Timeout: 2 * time.Minute}, nil)
	for _, v := range verdicts {
		if v.Kind != sw.Converged {
			t.Errorf("%s: %s: %s %v", v.Service, v.Kind, v.Message, v.TaskErrors)
		}
	}
	return verdicts
}

// depObject finds one object of a result.
func depObject(t *testing.T, res *sw.DeployResult, kind, name string) sw.DeployObject {
	t.Helper()
	for _, o := range res.Objects {
		if o.Kind == kind && o.Name == name {
			return o
		}
	}
	t.Fatalf("no %s %s in %+v", kind, name, res.Objects)
	return sw.DeployObject{}
}

// depServices lists the stack's services by short name, the way `docker
// stack services` finds them: by the namespace label.
func depServices(ctx context.Context, t *testing.T, e *sw.Engine, stack string) map[string]swarm.Service {
	t.Helper()
	res, err := e.Client().ServiceList(ctx, client.ServiceListOptions{
		Filters: make(client.Filters).Add("label", sw.NamespaceLabel+"="+stack),
	})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]swarm.Service{}
	for _, s := range res.Items {
		out[sw.ShortName(stack, s.Spec.Name)] = s
	}
	return out
}

// depTaskIDs is the IDs of a service's tasks that should be running.
func depTaskIDs(ctx context.Context, t *testing.T, e *sw.Engine, serviceID string) []string {
	t.Helper()
	res, err := e.Client().TaskList(ctx, client.TaskListOptions{
		Filters: make(client.Filters).Add("service", serviceID).Add("desired-state", "running"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, task := range res.Items {
		ids = append(ids, task.ID)
	}
	return ids
}
