package swarm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sw "github.com/swarmtop/swarmtop/swarm"
)

// watchFakeEngine answers the few API calls Watch makes, like a one-node
// swarm with one service, shop_web. Its first event stream ends after a
// moment (an engine restart, a proxy timeout); later ones stay open and
// carry whatever the test sends on events.
type watchFakeEngine struct {
	version     atomic.Uint64 // the service's version index; bump it to change the stack
	subscribers atomic.Int32
	events      chan string
	taskReads   atomic.Int32
	nodeReads   atomic.Int32
}

var watchFakeAPIPrefix = regexp.MustCompile(`^/v[0-9.]+`)

func (f *watchFakeEngine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Api-Version", "1.41")
	switch watchFakeAPIPrefix.ReplaceAllString(r.URL.Path, "") {
	case "/_ping":
		fmt.Fprint(w, "OK")
	case "/info":
		fmt.Fprint(w, `{"ServerVersion":"20.10.24","Swarm":{"NodeID":"n1","LocalNodeState":"active","ControlAvailable":true}}`)
	case "/services":
		fmt.Fprintf(w, `[{"ID":"s1","Version":{"Index":%d},"Spec":{"Name":"shop_web","Labels":{"com.docker.stack.namespace":"shop"},
			"Mode":{"Replicated":{"Replicas":1}},"TaskTemplate":{"ContainerSpec":{"Image":"app:1"}}},
			"ServiceStatus":{"RunningTasks":1,"DesiredTasks":1}}]`, f.version.Load())
	case "/tasks":
		f.taskReads.Add(1)
		fmt.Fprint(w, `[{"ID":"t1","ServiceID":"s1","Slot":1,"NodeID":"n1","DesiredState":"running",
			"Status":{"State":"running","Timestamp":"2026-11-22T12:00:00Z"}}]`)
	case "/nodes":
		f.nodeReads.Add(1)
		fmt.Fprint(w, `[{"ID":"n1","Description":{"Hostname":"node-1"},"Status":{"State":"ready"}}]`)
	case "/events":
		f.serveEvents(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (f *watchFakeEngine) serveEvents(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.(http.Flusher).Flush()
	if f.subscribers.Add(1) == 1 {
		time.Sleep(100 * time.Millisecond)
		return // the first stream drops
	}
	for {
		select {
		case ev := <-f.events:
			fmt.Fprintln(w, ev)
			w.(http.Flusher).Flush()
		case <-r.Context().Done():
			return
		}
	}
}

func watchFakeServiceEvent(name string) string {
	b, _ := json.Marshal(map[string]any{
		"Type": "service", "Action": "update", "scope": "swarm", "timeNano": time.Now().UnixNano(),
		"Actor": map[string]any{"ID": "x", "Attributes": map[string]string{"name": name, "replicas.new": "2"}},
	})
	return string(b)
}

func TestWatchRecoversFromDroppedEventStream(t *testing.T) {
	fake := &watchFakeEngine{events: make(chan string)}
	fake.version.Store(1)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	e, err := sw.Connect(ctx, sw.ConnectOptions{Host: "tcp://" + strings.TrimPrefix(srv.URL, "http://")})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	updates := e.Watch(ctx, "shop", sw.WatchOptions{FastPoll: time.Hour, SlowPoll: time.Hour, Debounce: 10 * time.Millisecond,
		RetryMin: 50 * time.Millisecond, RetryMax: 100 * time.Millisecond})

	first := watchNext(t, updates)
	if first.Err != nil || len(first.Snapshot.Services) != 1 || first.Snapshot.Tasks[0].Node != "node-1" {
		t.Fatalf("first update = %+v", first)
	}
	if u := watchNext(t, updates); !u.Disconnected || u.Err == nil || len(u.Snapshot.Services) != 1 {
		t.Fatalf("after the drop: %+v, want Disconnected with an error and the last snapshot", u)
	}
	if u := watchNext(t, updates); u.Disconnected || u.Err != nil {
		t.Fatalf("after re-subscribing: %+v, want connected again", u)
	}

	// Another stack's event is dropped; ours triggers a re-read.
	fake.version.Store(2)
	fake.events <- watchFakeServiceEvent("other_web")
	fake.events <- watchFakeServiceEvent("shop_web")
	u := watchNext(t, updates)
	if len(u.Events) != 1 || u.Events[0].Name != "web" || u.Events[0].Action != "update" || u.Events[0].Attributes["replicas.new"] != "2" {
		t.Errorf("events = %+v, want shop_web's update only", u.Events)
	}
	if v := u.Snapshot.Services[0].Version; v != 2 {
		t.Errorf("snapshot has version %d, want the re-read 2", v)
	}

	cancel()
	for range updates { // the channel closes when the watch ends
	}
}

// The node list is read with the first read and again only after a node
// event or a re-subscribed stream; polls read services and tasks alone.
func TestWatchCachesNodesUntilANodeEvent(t *testing.T) {
	fake := &watchFakeEngine{events: make(chan string)}
	fake.version.Store(1)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	e, err := sw.Connect(ctx, sw.ConnectOptions{Host: "tcp://" + strings.TrimPrefix(srv.URL, "http://")})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()

	updates := e.Watch(ctx, "shop", sw.WatchOptions{FastPoll: 20 * time.Millisecond, SlowPoll: 20 * time.Millisecond,
		Debounce: 10 * time.Millisecond, RetryMin: 50 * time.Millisecond, RetryMax: 100 * time.Millisecond})
	watchNext(t, updates) // the first read
	watchNext(t, updates) // the first stream drops
	if u := watchNext(t, updates); u.Disconnected || u.Err != nil {
		t.Fatalf("after re-subscribing: %+v, want connected again", u)
	}
	if n := fake.nodeReads.Load(); n != 2 {
		t.Fatalf("%d node reads by the re-subscription, want 2: the first read's and the one after", n)
	}

	tasksBefore := fake.taskReads.Load()
	time.Sleep(300 * time.Millisecond)
	if polls := fake.taskReads.Load() - tasksBefore; polls < 3 {
		t.Fatalf("%d polls in 300 ms at a 20 ms interval", polls)
	}
	if n := fake.nodeReads.Load(); n != 2 {
		t.Errorf("%d node reads after polls without node events, want still 2", n)
	}

	b, _ := json.Marshal(map[string]any{
		"Type": "node", "Action": "update", "scope": "swarm", "timeNano": time.Now().UnixNano(),
		"Actor": map[string]any{"ID": "n1", "Attributes": map[string]string{"name": "node-1"}},
	})
	fake.events <- string(b)
	u := watchNext(t, updates)
	if len(u.Events) != 1 || u.Events[0].Type != "node" || u.Events[0].Name != "node-1" {
		t.Errorf("events = %+v, want the node event", u.Events)
	}
	if n := fake.nodeReads.Load(); n != 3 {
		t.Errorf("%d node reads after a node event, want 3", n)
	}

	cancel()
	for range updates {
	}
}

func watchNext(t *testing.T, updates <-chan sw.WatchUpdate) sw.WatchUpdate {
	t.Helper()
	select {
	case u, ok := <-updates:
		if !ok {
			t.Fatal("updates closed")
		}
		return u
	case <-time.After(5 * time.Second):
		t.Fatal("no update within 5s")
		return sw.WatchUpdate{}
	}
}
