package swarm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/moby/moby/api/types/swarm"
)

// testdata/engine-20.10 holds the three lists Engine 20.10.24 (API 1.41)
// answered for the example stack `shop` as ReadStack asks for them:
// services with status, the stack's tasks (15 running, 30 failed after an
// engine restart, a completed migrate job) and the nodes. They were saved
// with
//
//	f='filters={"label":["com.docker.stack.namespace=shop"]}'
//	curl --unix-socket /var/run/docker.sock -G "http://x/v1.41/services?status=true" --data-urlencode "$f"
//	curl --unix-socket /var/run/docker.sock -G "http://x/v1.41/tasks" --data-urlencode "$f"
//	curl --unix-socket /var/run/docker.sock "http://x/v1.41/nodes"
const recordedDir = "testdata/engine-20.10"

// recordedEngineJSON copies the recorded lists out to nServices services
// with perService tasks each. Copy i of a service is the recorded service
// i%12 under a new ID and name; its tasks are that service's recorded
// tasks, repeated until there are perService, each under a new ID and, on
// each repeat, in new slots (so every slot keeps one current task). Only
// those values change: every other byte is the engine's, field order and
// all, so the decoders see what a real engine sends.
func recordedEngineJSON(tb testing.TB, nServices, perService int) (services, tasks, nodes []byte) {
	tb.Helper()
	recServices := recordedList(tb, "services.json")
	recTasks := recordedList(tb, "tasks.json")
	tasksOf := map[string][]json.RawMessage{}
	for _, t := range recTasks {
		id := jsonString(tb, t, "ServiceID")
		tasksOf[id] = append(tasksOf[id], t)
	}
	var outServices, outTasks []json.RawMessage
	for i := range nServices {
		rec := recServices[i%len(recServices)]
		oldID, newID := jsonString(tb, rec, "ID"), fmt.Sprintf("svc%022d", i)
		name := jsonString(tb, rec, "Name")
		svc := replaceOnce(tb, rec, `"ID":"`+oldID+`"`, `"ID":"`+newID+`"`)
		svc = replaceOnce(tb, svc, `"Name":"`+name+`"`, fmt.Sprintf(`"Name":"%s-%04d"`, name, i))
		outServices = append(outServices, svc)
		outTasks = append(outTasks, copyTasks(tb, tasksOf[oldID], newID, perService)...)
	}
	return marshalList(tb, outServices), marshalList(tb, outTasks), marshalList(tb, recordedList(tb, "nodes.json"))
}

// copyTasks makes n tasks of service newID from its recorded tasks.
func copyTasks(tb testing.TB, recorded []json.RawMessage, newID string, n int) []json.RawMessage {
	tb.Helper()
	if len(recorded) == 0 {
		return nil
	}
	slots := 1
	for _, t := range recorded {
		slots = max(slots, taskSlot(t))
	}
	out := make([]json.RawMessage, 0, n)
	for j := range n {
		rec, round := recorded[j%len(recorded)], j/len(recorded)
		oldID := jsonString(tb, rec, "ID")
		t := replaceOnce(tb, rec, `"ID":"`+oldID+`"`, fmt.Sprintf(`"ID":"%s%04d"`, newID, j))
		t = replaceOnce(tb, t, `"ServiceID":"`+jsonString(tb, rec, "ServiceID")+`"`, `"ServiceID":"`+newID+`"`)
		if slot := taskSlot(rec); slot > 0 && round > 0 {
			t = replaceOnce(tb, t, `"Slot":`+strconv.Itoa(slot)+`,`, `"Slot":`+strconv.Itoa(slot+round*slots)+`,`)
		}
		out = append(out, t)
	}
	return out
}

var slotField = regexp.MustCompile(`"Slot":(\d+),`)

// taskSlot is a recorded task's slot; 0 when the engine left it out (jobs,
// global services).
func taskSlot(t json.RawMessage) int {
	m := slotField.FindSubmatch(t)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

func recordedList(tb testing.TB, name string) []json.RawMessage {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(recordedDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(data, &list); err != nil {
		tb.Fatalf("%s: %v", name, err)
	}
	return list
}

// jsonString reads a string field of an object: top level, or for Name,
// the service spec's.
func jsonString(tb testing.TB, obj json.RawMessage, field string) string {
	tb.Helper()
	var v struct {
		ID, ServiceID string
		Spec          struct{ Name string }
	}
	if err := json.Unmarshal(obj, &v); err != nil {
		tb.Fatal(err)
	}
	switch field {
	case "ID":
		return v.ID
	case "ServiceID":
		return v.ServiceID
	}
	return v.Spec.Name
}

// replaceOnce replaces the first old in obj, which must be there.
func replaceOnce(tb testing.TB, obj json.RawMessage, old, new string) json.RawMessage {
	tb.Helper()
	if !bytes.Contains(obj, []byte(old)) {
		tb.Fatalf("recorded object lacks %s", old)
	}
	return bytes.Replace(obj, []byte(old), []byte(new), 1)
}

func marshalList(tb testing.TB, list []json.RawMessage) []byte {
	tb.Helper()
	data, err := json.Marshal(list)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// The recorded lists, copied out, decode to the same snapshot with the
// read path's decoders as with the moby client's full types, and the copies
// are what recordedEngineJSON says: new IDs and names, one current task
// per slot, the requested counts.
func TestRecordedEngineJSON(t *testing.T) {
	servicesJSON, tasksJSON, nodesJSON := recordedEngineJSON(t, 30, 10)
	services, tasks, nodes := decodeFullTypes(t, servicesJSON, tasksJSON, nodesJSON)
	if len(services) != 30 || len(tasks) != 300 || len(nodes) != 1 {
		t.Fatalf("%d services, %d tasks, %d nodes; want 30, 300, 1", len(services), len(tasks), len(nodes))
	}
	fastServices, fastTasks, fastNodes := decodeFast(t, servicesJSON, tasksJSON, nodesJSON)
	if !reflect.DeepEqual(fastServices, services) || !reflect.DeepEqual(fastNodes, nodes) {
		t.Error("the fast decoders read the recorded services or nodes differently")
	}
	want := BuildSnapshot("shop", services, tasks, nodes, readTestNow)
	got := BuildSnapshot("shop", fastServices, fastTasks, fastNodes, readTestNow)
	if diff := snapshotDiff(got, want); diff != "" {
		t.Error(diff)
	}

	ids, names := map[string]bool{}, map[string]bool{}
	for _, s := range services {
		ids[s.ID], names[s.Spec.Name] = true, true
	}
	current := map[string]int{} // service/slot → current tasks
	for _, task := range tasks {
		if !ids[task.ServiceID] {
			t.Fatalf("task %s belongs to no copied service (%s)", task.ID, task.ServiceID)
		}
		ids[task.ID] = true
		if isCurrent(&task) && task.Slot > 0 {
			current[fmt.Sprintf("%s/%d", task.ServiceID, task.Slot)]++
		}
	}
	if len(ids) != 330 || len(names) != 30 {
		t.Errorf("%d distinct IDs, %d names; want 330 and 30", len(ids), len(names))
	}
	for slot, n := range current {
		if n != 1 {
			t.Errorf("slot %s has %d current tasks", slot, n)
		}
	}
	if len(want.Failures()) == 0 {
		t.Error("no failures modelled: the recording's failed tasks were lost")
	}
}

// The recording was taken a minute after an engine restart, which marked
// every task the engine had (some created hours before) failed at the same
// instant. Modelled at that minute, no slot is in a crash loop: the
// services run again, and their failures are listed, not taken for loops.
func TestRecordedEngineRestartIsNoCrashLoop(t *testing.T) {
	lists := make([][]byte, 3)
	for i, name := range []string{"services.json", "tasks.json", "nodes.json"} {
		lists[i] = marshalList(t, recordedList(t, name))
	}
	services, tasks, nodes := decodeFast(t, lists[0], lists[1], lists[2])
	var newest time.Time
	failed := 0
	for _, task := range tasks {
		if task.Status.Timestamp.After(newest) {
			newest = task.Status.Timestamp
		}
		if task.Status.State == swarm.TaskStateFailed {
			failed++
		}
	}
	snap := BuildSnapshot("shop", services, tasks, nodes, newest.Add(time.Minute))
	if failed < 10 || len(snap.Failures()) == 0 {
		t.Fatalf("%d failed tasks, %d failures modelled: the recording should hold the restart's failures", failed, len(snap.Failures()))
	}
	for _, s := range snap.Services {
		if s.Health == HealthRestarting || s.Health == HealthFailing {
			t.Errorf("%s is %s after an engine restart; its tasks run again", s.Name, s.Health)
		}
	}
}
