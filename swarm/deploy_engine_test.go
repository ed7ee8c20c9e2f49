package swarm_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/internal/enginetest"
	sw "github.com/swarmtop/swarmtop/swarm"
)

// Engine tests of Deploy and Diff. Each test deploys the small stack of
// deploy_helpers_test.go under a stack name of its own.

func TestDeployCreatesStackWithDockerLabelsThenRedeployChangesNothing(t *testing.T) {
	t.Parallel()
	e, stack, ctx := depSetup(t)
	file := depWriteStack(t, t.TempDir())
	st := depLoad(t, stack, nil, file)

	res := depDeploy(ctx, t, e, st, sw.DeployOptions{})
	for _, want := range []struct{ kind, name string }{
		{sw.KindSecret, stack + "_app_secret"}, {sw.KindConfig, stack + "_app_config"},
		{sw.KindNetwork, stack + "_backend"}, {sw.KindNetwork, stack + "_default"},
		{sw.KindService, "migrate"}, {sw.KindService, "web"}, {sw.KindService, "worker"},
	} {
		if o := depObject(t, res, want.kind, want.name); o.Action != sw.ObjectCreated {
			t.Errorf("%s %s: %s, want created", want.kind, want.name, o.Action)
		}
	}
	// The job ran, and completed, before web and worker were created.
	if names := objectNames(res); !slices.Equal(names, []string{
		stack + "_app_secret", stack + "_app_config", stack + "_backend", stack + "_default", "migrate", "web", "worker",
	}) {
		t.Errorf("objects in order %v", names)
	}
	if len(res.Jobs) != 1 || res.Jobs[0].Kind != sw.Converged {
		t.Errorf("job verdicts = %+v, want migrate converged", res.Jobs)
	}
	depConverge(ctx, t, e, res.Changes)
	checkStackLabels(ctx, t, e, stack)

	// An unchanged file: nothing is written, no task replaced, no job re-run.
	before := depServices(ctx, t, e, stack)
	tasksBefore := map[string][]string{}
	for name, s := range before {
		tasksBefore[name] = depTaskIDs(ctx, t, e, s.ID)
	}
	again := depDeploy(ctx, t, e, depLoad(t, stack, nil, file), sw.DeployOptions{})
	if len(again.Changes) != 0 {
		t.Errorf("redeploy changed %+v", again.Changes)
	}
	for _, o := range again.Objects {
		if o.Action != sw.ObjectUnchanged {
			t.Errorf("redeploy: %s %s %s (%s), want unchanged", o.Kind, o.Name, o.Action, o.Detail)
		}
	}
	for name, s := range depServices(ctx, t, e, stack) {
		if v := s.Meta.Version.Index; v != before[name].Meta.Version.Index {
			t.Errorf("%s: version %d → %d on an unchanged redeploy", name, before[name].Meta.Version.Index, v)
		}
		if got := depTaskIDs(ctx, t, e, s.ID); !slices.Equal(got, tasksBefore[name]) {
			t.Errorf("%s: tasks %v → %v on an unchanged redeploy", name, tasksBefore[name], got)
		}
	}
}

func objectNames(res *sw.DeployResult) []string {
	var names []string
	for _, o := range res.Objects {
		names = append(names, o.Name)
	}
	return names
}

// checkStackLabels checks the labels docker stack deploy writes, and that
// the docker CLI finds the stack by them.
func checkStackLabels(ctx context.Context, t *testing.T, e *sw.Engine, stack string) {
	t.Helper()
	services := depServices(ctx, t, e, stack)
	if len(services) != 3 {
		t.Fatalf("%d services carry %s=%s, want 3", len(services), sw.NamespaceLabel, stack)
	}
	web := services["web"].Spec
	if web.Name != stack+"_web" || web.Labels[sw.NamespaceLabel] != stack || web.Labels[sw.ImageLabel] != "swarmtop/standin:1" {
		t.Errorf("web: name %s, labels %v", web.Name, web.Labels)
	}
	if got := web.TaskTemplate.ContainerSpec.Labels[sw.NamespaceLabel]; got != stack {
		t.Errorf("web container labels %v, want the namespace", web.TaskTemplate.ContainerSpec.Labels)
	}
	api := e.Client()
	f := make(client.Filters).Add("label", sw.NamespaceLabel+"="+stack)
	nets, _ := api.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	secrets, _ := api.SecretList(ctx, client.SecretListOptions{Filters: f})
	configs, _ := api.ConfigList(ctx, client.ConfigListOptions{Filters: f})
	if len(nets.Items) != 2 || len(secrets.Items) != 1 || len(configs.Items) != 1 {
		t.Errorf("labelled: %d networks, %d secrets, %d configs; want 2, 1, 1", len(nets.Items), len(secrets.Items), len(configs.Items))
	}
	if _, err := exec.LookPath("docker"); err != nil {
		return
	}
	out, err := exec.CommandContext(ctx, "docker", "stack", "services", "--format", "{{.Name}}", stack).CombinedOutput()
	if err != nil {
		t.Fatalf("docker stack services: %v: %s", err, out)
	}
	if got := strings.Fields(string(out)); len(got) != 3 {
		t.Errorf("docker stack services %s lists %v", stack, got)
	}
}

func TestDeployKeepsLiveReplicasUnlessReset(t *testing.T) {
	t.Parallel()
	e, stack, ctx, dir := depDeployed(t)
	file := filepath.Join(dir, "stack.yml")

	// Someone scales web to 3 during an incident, with the raw client.
	rawScale(ctx, t, e.Client(), depServices(ctx, t, e, stack)["web"].ID, 3)
	scaled := depServices(ctx, t, e, stack)["web"]

	kept := depDeploy(ctx, t, e, depLoad(t, stack, nil, file), sw.DeployOptions{})
	wantNote := "web: kept 3 replicas (file says 2); use --reset-replicas"
	if !slices.Contains(kept.Notes, wantNote) {
		t.Errorf("notes %q lack %q", kept.Notes, wantNote)
	}
	if o := depObject(t, kept, sw.KindService, "web"); o.Action != sw.ObjectUnchanged {
		t.Errorf("web %s (%s), want unchanged", o.Action, o.Detail)
	}
	if got := depServices(ctx, t, e, stack)["web"]; got.Meta.Version != scaled.Meta.Version || *got.Spec.Mode.Replicated.Replicas != 3 {
		t.Errorf("web was written: version %d → %d", scaled.Meta.Version.Index, got.Meta.Version.Index)
	}

	reset := depDeploy(ctx, t, e, depLoad(t, stack, nil, file), sw.DeployOptions{ResetReplicas: true})
	if o := depObject(t, reset, sw.KindService, "web"); o.Action != sw.ObjectUpdated || o.Detail != "replicas" {
		t.Errorf("web %s (%s), want updated (replicas)", o.Action, o.Detail)
	}
	depConverge(ctx, t, e, reset.Changes)
	if got := depServices(ctx, t, e, stack)["web"].Spec.Mode.Replicated.Replicas; *got != 2 {
		t.Errorf("web has %d replicas after --reset-replicas, want 2", *got)
	}
}

// A scale that lands between the plan's read and the deploy's write makes
// the write stale ("update out of sequence"): the deploy reads the service
// again, re-plans, and keeps the new count while applying the file. The
// notes report what the write that landed kept: the re-plan's, each once.
func TestDeployRetriesAfterConcurrentScale(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// web's replicas scaled before the deploy (0: left at the file's
		// 2), then between the plan's read and the write
		before, during uint64
	}{
		{"scaled during the deploy", 0, 3},
		{"scaled again during the deploy", 3, 4},
		{"scaled to the same count during the deploy", 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := deployWithScaleDuring(t, tt.before, tt.during)
			want := []string{fmt.Sprintf("web: kept %d replicas (file says 2); use --reset-replicas", tt.during)}
			if !slices.Equal(res.Notes, want) {
				t.Errorf("notes %q, want %q", res.Notes, want)
			}
		})
	}
}

// deployWithScaleDuring deploys a change of web's env after scaling web to
// before (unless 0), with a scale to during between the plan and the write,
// checks the retry kept both the scale and the file's change, and returns
// the deploy's result.
func deployWithScaleDuring(t *testing.T, before, during uint64) *sw.DeployResult {
	t.Helper()
	e, stack, ctx, dir := depDeployed(t)
	web := depServices(ctx, t, e, stack)["web"].ID
	if before > 0 {
		rawScale(ctx, t, e.Client(), web, before)
	}
	var attempts atomic.Int32
	remove := sw.SetBeforeUpdateHook(web, func(attempt int) {
		attempts.Add(1)
		if attempt == 1 {
			rawScale(ctx, t, e.Client(), web, during)
		}
	})
	defer remove()

	file := depWriteStack(t, dir, "GREETING: hello # web-env", "GREETING: hi")
	res := depDeploy(ctx, t, e, depLoad(t, stack, nil, file), sw.DeployOptions{})
	if got := attempts.Load(); got != 2 {
		t.Errorf("%d update attempts, want 2 (one stale, one retry)", got)
	}
	if o := depObject(t, res, sw.KindService, "web"); o.Action != sw.ObjectUpdated || o.Detail != "env.GREETING" {
		t.Errorf("web %s (%s), want updated (env.GREETING)", o.Action, o.Detail)
	}
	spec := depServices(ctx, t, e, stack)["web"].Spec
	if r := spec.Mode.Replicated.Replicas; r == nil || *r != during {
		t.Errorf("replicas = %v, want the concurrent scale's %d kept", r, during)
	}
	if env := spec.TaskTemplate.ContainerSpec.Env; !slices.Contains(env, "GREETING=hi") {
		t.Errorf("env %q lacks the file's GREETING=hi", env)
	}
	depConverge(ctx, t, e, res.Changes)
	return res
}

func TestDeployFailingJobStopsBeforeOtherServices(t *testing.T) {
	t.Parallel()
	e, stack, ctx, dir := depDeployed(t)
	before := depServices(ctx, t, e, stack)

	// The new release's migration fails; web would move to the new image.
	file := depWriteStack(t, dir,
		"STANDIN_MIGRATE_TIME: 1s", "STANDIN_MIGRATE_TIME: 5s\n      STANDIN_FAIL_AFTER: 1s",
		"swarmtop/standin:1 # web-image", "swarmtop/standin:2")
	failed, err := e.Deploy(ctx, depLoad(t, stack, nil, file), sw.DeployOptions{})
	var jobErr *sw.JobFailedError
	if !errors.As(err, &jobErr) {
		t.Fatalf("deploy error = %v, want the job's failure", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "non-zero exit (1)") || !strings.Contains(msg, "no other service was changed") {
		t.Errorf("error %q lacks the task error or the reassurance", msg)
	}
	if o := depObject(t, failed, sw.KindService, "migrate"); o.Action != sw.ObjectFailed {
		t.Errorf("migrate %s, want failed", o.Action)
	}
	if o := depObject(t, failed, sw.KindService, "web"); o.Action != sw.ObjectSkipped || !strings.Contains(o.Detail, "updated") {
		t.Errorf("web %s (%s), want skipped, not attempted", o.Action, o.Detail)
	}
	after := depServices(ctx, t, e, stack)
	for _, name := range []string{"web", "worker"} {
		if after[name].Meta.Version != before[name].Meta.Version {
			t.Errorf("%s was written although the job failed", name)
		}
	}
	if img := after["web"].Spec.TaskTemplate.ContainerSpec.Image; img != "swarmtop/standin:1" {
		t.Errorf("web runs %s, want the old image", img)
	}

	// The same file again: the job's spec is unchanged but its last run
	// failed, so it runs again (and fails again) rather than being skipped.
	again, err := e.Deploy(ctx, depLoad(t, stack, nil, file), sw.DeployOptions{})
	if !errors.As(err, &jobErr) {
		t.Fatalf("second deploy error = %v, want the job's failure again", err)
	}
	if o := depObject(t, again, sw.KindService, "migrate"); o.Action != sw.ObjectFailed || !strings.Contains(o.Detail, "updated, then job migrate failed") {
		t.Errorf("migrate %s (%s), want re-run and failed", o.Action, o.Detail)
	}

	// The migration fixed: it runs, then web moves to the new image.
	fixed := depWriteStack(t, dir, "swarmtop/standin:1 # web-image", "swarmtop/standin:2")
	res := depDeploy(ctx, t, e, depLoad(t, stack, nil, fixed), sw.DeployOptions{})
	if o := depObject(t, res, sw.KindService, "web"); o.Action != sw.ObjectUpdated {
		t.Errorf("web %s after the fix, want updated", o.Action)
	}
	depConverge(ctx, t, e, res.Changes)
}

func TestDeployPruneRemovesServiceDroppedFromFile(t *testing.T) {
	t.Parallel()
	e, stack, ctx, dir := depDeployed(t)

	// Drop the worker from the file: its block runs to "networks:" at the top level.
	data, _ := os.ReadFile(filepath.Join(dir, "stack.yml"))
	text := string(data)
	start, end := strings.Index(text, "  worker:"), strings.Index(text, "networks:\n  backend:")
	if err := os.WriteFile(filepath.Join(dir, "stack.yml"), []byte(text[:start]+text[end:]), 0o644); err != nil {
		t.Fatal(err)
	}
	st := depLoad(t, stack, nil, filepath.Join(dir, "stack.yml"))

	kept := depDeploy(ctx, t, e, st, sw.DeployOptions{})
	if o := depObject(t, kept, sw.KindService, "worker"); o.Action != sw.ObjectUnchanged {
		t.Errorf("without --prune worker %s, want unchanged", o.Action)
	}
	if _, ok := depServices(ctx, t, e, stack)["worker"]; !ok {
		t.Fatal("worker removed without --prune")
	}
	pruned := depDeploy(ctx, t, e, st, sw.DeployOptions{Prune: true})
	if o := depObject(t, pruned, sw.KindService, "worker"); o.Action != sw.ObjectRemoved {
		t.Errorf("worker %s, want removed", o.Action)
	}
	if _, ok := depServices(ctx, t, e, stack)["worker"]; ok {
		t.Error("worker still deployed after --prune")
	}
}

func TestDeployChangedSecretFailsBeforeAnyService(t *testing.T) {
	t.Parallel()
	e, stack, ctx, dir := depDeployed(t)
	before := depServices(ctx, t, e, stack)

	if err := os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("rotated\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := depWriteStack(t, dir, "swarmtop/standin:1 # web-image", "swarmtop/standin:2")
	failed, err := e.Deploy(ctx, depLoad(t, stack, nil, file), sw.DeployOptions{})
	var immutable *sw.ImmutableDataError
	if !errors.As(err, &immutable) || immutable.Kind != sw.KindSecret {
		t.Fatalf("deploy error = %v, want the secret's data refused", err)
	}
	if !strings.Contains(err.Error(), "new name") {
		t.Errorf("error %q does not say how to rotate", err)
	}
	if o := depObject(t, failed, sw.KindSecret, stack+"_app_secret"); o.Action != sw.ObjectFailed {
		t.Errorf("secret %s, want failed", o.Action)
	}
	for _, name := range []string{"migrate", "web", "worker"} {
		if o := depObject(t, failed, sw.KindService, name); o.Action == sw.ObjectUpdated || o.Action == sw.ObjectCreated {
			t.Errorf("%s %s after the secret failed", name, o.Action)
		}
	}
	for name, s := range depServices(ctx, t, e, stack) {
		if s.Meta.Version != before[name].Meta.Version {
			t.Errorf("%s was written although the secret failed", name)
		}
	}
}

func TestDiffReportsImageReplicasAndEnv(t *testing.T) {
	t.Parallel()
	e, stack, ctx := depSetup(t)
	dir := t.TempDir()
	res := depDeploy(ctx, t, e, depLoad(t, stack, nil, depWriteStack(t, dir)), sw.DeployOptions{})

	same, err := e.Diff(ctx, depLoad(t, stack, nil, filepath.Join(dir, "stack.yml")))
	if err != nil {
		t.Fatal(err)
	}
	if !same.Same() {
		t.Errorf("unchanged file differs: %+v", same.Services)
	}
	depConverge(ctx, t, e, res.Changes)

	file := depWriteStack(t, dir,
		"swarmtop/standin:1 # web-image", "swarmtop/standin:2",
		"replicas: 2 # web-replicas", "replicas: 3",
		"GREETING: hello # web-env", "GREETING: hi\n      FEATURE: \"on\"")
	diff, err := e.Diff(ctx, depLoad(t, stack, nil, file))
	if err != nil {
		t.Fatal(err)
	}
	web, _ := diff.Service("web")
	want := []sw.FieldChange{
		{Field: "replicas", Live: "2", File: "3"},
		{Field: "image", Live: "swarmtop/standin:1", File: "swarmtop/standin:2"},
		{Field: "env.FEATURE", Live: "(unset)", File: "on"},
		{Field: "env.GREETING", Live: "hello", File: "hi"},
	}
	if web.Status != sw.DiffChanged || !slices.Equal(web.Changes, want) {
		t.Errorf("web diff = %+v\nwant %+v", web, want)
	}
	for _, name := range []string{"migrate", "worker"} {
		if s, _ := diff.Service(name); s.Status != sw.DiffSame {
			t.Errorf("%s: %+v, want same", name, s)
		}
	}
	drift := diff.Drift()
	if len(drift) != 1 || drift[0].Replicas == nil || drift[0].Image == nil || len(drift[0].Others) != 2 {
		t.Errorf("drift = %+v, want web: replicas, image and 2 other changes", drift)
	}
}

func TestDeployDjangoExampleConverges(t *testing.T) {
	t.Parallel()
	e, stack, ctx := depSetup(t)
	env := []string{"NGINX_PORT=" + enginetest.FreePort(t)}
	files := []string{filepath.Join("..", "examples", "django", "stack.yml"), filepath.Join("..", "examples", "django", "demo.yml")}
	st := depLoad(t, stack, env, files...)

	res := depDeploy(ctx, t, e, st, sw.DeployOptions{})
	if len(res.Changes) != 12 {
		t.Fatalf("%d services changed, want 12", len(res.Changes))
	}
	verdicts := depConverge(ctx, t, e, res.Changes)
	if len(verdicts) != 12 {
		t.Errorf("%d verdicts, want 12", len(verdicts))
	}
	again := depDeploy(ctx, t, e, depLoad(t, stack, env, files...), sw.DeployOptions{})
	if len(again.Changes) != 0 {
		t.Errorf("redeploy of the example changed %+v", again.Changes)
	}
}

// cliStackYAML is a stack docker stack deploy accepts (v3 schema: no jobs).
const cliStackYAML = `
version: "3.9"
services:
  web:
    image: swarmtop/standin:1
    command: ["web"]
    environment: {STANDIN_LOG_RATE: "0", GREETING: hello}
    networks: [backend]
    secrets: [app_secret, {source: app_secret, target: other, mode: 0400}]
    configs: [{source: app_config, target: /etc/app.conf}]
    volumes: ["data:/data", "/tmp:/hosttmp:ro", {type: tmpfs, target: /t, tmpfs: {size: 1000000}}]
    healthcheck: {test: ["CMD", "/standin", "health"], interval: 1s, timeout: 2s, retries: 3}
    stop_grace_period: 1s
    restart: on-failure:3
    deploy:
      replicas: 2
      resources: {limits: {cpus: "0.1", memory: 64M}}
      placement: {constraints: ["node.role == manager"]}
      update_config: {parallelism: 0, monitor: 1s, order: start-first}
  worker:
    image: swarmtop/standin:1
    command: ["celery-worker"]
    stop_grace_period: 1s
volumes:
  data:
networks:
  backend:
secrets:
  app_secret: {file: ./secret.txt}
configs:
  app_config: {file: ./app.conf}
`

func TestDeployOverDockerStackDeployChangesNothing(t *testing.T) {
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("no docker CLI to deploy with")
	}
	t.Parallel()
	e, stack, ctx := depSetup(t)
	dir := t.TempDir()
	for name, content := range map[string]string{"stack.yml": cliStackYAML, "secret.txt": "s3cret\n", "app.conf": "conf\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "stack.yml")
	out, err := exec.CommandContext(ctx, "docker", "stack", "deploy", "--detach=true", "--resolve-image=never", "-c", file, stack).CombinedOutput()
	if err != nil {
		t.Fatalf("docker stack deploy: %v\n%s", err, out)
	}

	st := depLoad(t, stack, nil, file)
	diff, err := e.Diff(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if !diff.Same() {
		t.Errorf("a docker-deployed stack differs from its own file: %+v", diff.Services)
	}
	before := depServices(ctx, t, e, stack)
	res := depDeploy(ctx, t, e, st, sw.DeployOptions{})
	if len(res.Changes) != 0 {
		t.Errorf("deploy over docker's deploy changed %+v", res.Changes)
	}
	for name, s := range depServices(ctx, t, e, stack) {
		if s.Meta.Version != before[name].Meta.Version {
			t.Errorf("%s was written", name)
		}
	}
}
