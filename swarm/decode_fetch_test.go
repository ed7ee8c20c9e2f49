package swarm

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"weak"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// The raw list calls against a fake engine on a unix socket: the same
// requests as the moby client's, the same snapshot, the same errors.

// fakeEngine answers the list endpoints with the varied stack and records
// the requests' paths and queries.
type fakeEngine struct {
	services, tasks, nodes []byte
	status                 int // when set, every call fails with it
	mu                     sync.Mutex
	requests               []string
	conns                  int // connections opened
}

func (f *fakeEngine) connState(_ net.Conn, state http.ConnState) {
	if state == http.StateNew {
		f.mu.Lock()
		f.conns++
		f.mu.Unlock()
	}
}

func (f *fakeEngine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.Host+" "+r.URL.Path+" "+r.URL.Query().Encode())
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if f.status != 0 {
		w.WriteHeader(f.status)
		w.Write([]byte(`{"message":"This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again."}` + "\n"))
		return
	}
	var list []byte
	switch r.URL.Path {
	case "/v1.41/services":
		list = f.services
	case "/v1.41/tasks":
		list = f.tasks
	case "/v1.41/nodes":
		list = f.nodes
	default:
		http.NotFound(w, r)
		return
	}
	w.Write(list)
	w.Write([]byte("\n")) // as the engine's json.Encoder ends it
}

// fakeEngineClient serves f on a unix socket and returns an Engine for it.
func fakeEngineClient(t testing.TB, f *fakeEngine) *Engine {
	t.Helper()
	dir, err := os.MkdirTemp("", "swarmtop") // short: socket paths are limited to ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "engine.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(f)
	srv.Listener = l
	srv.Config.ConnState = f.connState
	srv.Start()
	t.Cleanup(srv.Close)
	api, err := client.New(client.WithHost("unix://"+sock), client.WithAPIVersion("1.41"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.Close() })
	return &Engine{api: api, Host: api.DaemonHost(), APIVersion: "1.41"}
}

func TestReadStackOverRawLists(t *testing.T) {
	f := &fakeEngine{}
	f.services, f.tasks, f.nodes = variedStackJSON(t)
	e := fakeEngineClient(t, f)

	snap, err := e.ReadStack(context.Background(), "shop")
	if err != nil {
		t.Fatal(err)
	}
	services, tasks, nodes := decodeFullTypes(t, f.services, f.tasks, f.nodes)
	if diff := snapshotDiff(snap, BuildSnapshot("shop", services, tasks, nodes, snap.Taken)); diff != "" {
		t.Error(diff)
	}
	stackFilter := `filters=` + url.QueryEscape(`{"label":{"com.docker.stack.namespace=shop":true}}`)
	want := []string{
		"GET api.moby.localhost /v1.41/services " + stackFilter + "&status=true",
		"GET api.moby.localhost /v1.41/tasks " + stackFilter,
		"GET api.moby.localhost /v1.41/nodes ",
	}
	slices.Sort(want) // the calls run at once, in no set order
	if slices.Sort(f.requests); !slices.Equal(f.requests, want) {
		t.Errorf("requests:\n got %q\nwant %q", f.requests, want)
	}
}

func TestStacksAndNodesOverRawLists(t *testing.T) {
	f := &fakeEngine{}
	f.services, f.tasks, f.nodes = variedStackJSON(t)
	e := fakeEngineClient(t, f)
	services, tasks, nodes := decodeFullTypes(t, f.services, f.tasks, f.nodes)

	stacks, err := e.Stacks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The varied stack has a service without ServiceStatus: counted from
	// all tasks.
	if want := summarizeStacks(withStatusFromTasks(services, tasks)); !reflect.DeepEqual(stacks, want) {
		t.Errorf("stacks %+v, want %+v", stacks, want)
	}
	got, err := e.Nodes(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := buildNodes(nodes, tasks); !reflect.DeepEqual(got, want) {
		t.Errorf("nodes %+v, want %+v", got, want)
	}
	want := []string{
		"GET api.moby.localhost /v1.41/services status=true",
		"GET api.moby.localhost /v1.41/tasks ",
		"GET api.moby.localhost /v1.41/nodes ",
		"GET api.moby.localhost /v1.41/tasks filters=" + url.QueryEscape(`{"desired-state":{"running":true}}`),
	}
	slices.Sort(want) // the calls run at once, in no set order
	if slices.Sort(f.requests); !slices.Equal(f.requests, want) {
		t.Errorf("requests:\n got %q\nwant %q", f.requests, want)
	}
}

// An engine's error reads and classifies as the moby client's does: a
// worker answers swarm calls with 503.
func TestRawListErrorsLikeTheClient(t *testing.T) {
	e := fakeEngineClient(t, &fakeEngine{status: http.StatusServiceUnavailable})
	_, err := e.ReadStack(context.Background(), "shop")
	_, clientErr := e.api.ServiceList(context.Background(), client.ServiceListOptions{})
	if err == nil || clientErr == nil || err.Error() != clientErr.Error() {
		t.Errorf("error %v, want the client's %v", err, clientErr)
	}
	if !cerrdefs.IsUnavailable(err) {
		t.Errorf("error %v is not classified unavailable", err)
	}
}

func TestRawListCannotConnect(t *testing.T) {
	api, err := client.New(client.WithHost("unix:///nonexistent/docker.sock"), client.WithAPIVersion("1.41"))
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	e := &Engine{api: api}
	_, err = e.ReadStack(context.Background(), "shop")
	if err == nil || !strings.Contains(err.Error(), "unix:///nonexistent/docker.sock") {
		t.Errorf("error %v, want one naming the engine's address", err)
	}
}

// List calls keep their connections, as the moby client's do: over ssh
// each new one would be a new process. Without reuse, 5 reads of 3 calls
// each open 15; with it, the first read's 3 serve the rest, give or take a
// connection dialled while another was on its way back to the pool.
func TestRawListsReuseConnections(t *testing.T) {
	f := &fakeEngine{}
	// Big enough to be sent in chunks, which a decoder leaves unfinished.
	f.services, f.tasks, f.nodes = benchEngineJSON(t, 20, 200, 3)
	e := fakeEngineClient(t, f)
	for range 5 {
		if _, err := e.ReadStack(context.Background(), "shop"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conns > 5 {
		t.Errorf("5 reads opened %d connections, want 3 or a few more", f.conns)
	}
}

func TestListClientGoesWithItsEngineClient(t *testing.T) {
	api, err := client.New(client.WithHost("unix:///nonexistent/docker.sock"))
	if err != nil {
		t.Fatal(err)
	}
	key := weak.Make(api)
	listClient(api)
	if _, ok := listClients.Load(key); !ok {
		t.Fatal("no list client cached")
	}
	api = nil
	for range 50 {
		runtime.GC()
		if _, ok := listClients.Load(key); !ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Error("list client still cached after its engine client was collected")
}
