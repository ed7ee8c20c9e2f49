package swarm

import (
	"slices"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/swarm"
)

// Decoding the engine's list responses for the read path. The moby client
// decodes them with encoding/json into the full API types; for a big stack
// (1,000 services, 10,000 tasks: about 15 MB) that takes a quarter of a
// second and more. Nearly all of it is the tasks: each carries a copy of its
// service's task template and its network attachments (netip.Prefix
// addresses are slow to unmarshal), none of which the read model shows.
//
// So tasks are decoded into the few fields the model reads, and all three
// lists with goccy/go-json, which skips the fields it is not asked for about
// ten times faster than encoding/json and decodes the full service type
// about three times faster. It follows encoding/json's rules (field names
// matched case-insensitively, Unmarshaler and TextUnmarshaler honoured);
// decode_test.go checks that both give the same services and snapshots.

// decodeServices decodes a service list in full: the model keeps each
// service's Spec for the inspect view and for actions, and services are
// ten times fewer than tasks.
func decodeServices(data []byte) ([]swarm.Service, error) {
	var out []swarm.Service
	if err := gojson.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// decodeNodes decodes a node list in full; a swarm has few nodes.
func decodeNodes(data []byte) ([]swarm.Node, error) {
	var out []swarm.Node
	if err := gojson.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// decodeTasks decodes a task list into swarm.Task values that hold only
// what the read model and the health rules read: ID, creation time,
// service, slot, node, status (time, state, error, container ID and exit
// code), desired state, job iteration, and of the spec the container's
// image, healthcheck command and TTY setting (a log stream's framing). The
// rest is left zero, so these tasks are for reading, not for writing back.
//
// Their strings are not copied: they point into data, which they keep alive
// as long as the snapshot built from them (a body per read, dropped with the
// snapshot it made). That saves about ten allocations a task, two thirds of
// all the read path made.
func decodeTasks(data []byte) ([]swarm.Task, error) {
	// Tasks take a kilobyte and more of JSON each: sized so, the slice is
	// decoded into in place instead of grown and copied as it fills.
	raw := make([]taskJSON, 0, len(data)/1024+1)
	if err := gojson.UnmarshalWithOption(data, &raw, gojson.DecodeNoCopyString()); err != nil {
		return nil, err
	}
	out := make([]swarm.Task, len(raw))
	// One allocation for all container statuses instead of one per task.
	statuses := make([]swarm.ContainerStatus, len(raw))
	specs := containerSpecs{}
	for i := range raw {
		out[i] = raw[i].task(specs, &statuses[i])
	}
	return out, nil
}

// taskJSON is the part of a task object the read model uses, named as in
// swarm.Task so the JSON names match. Nested objects are values, not
// pointers, which would cost an allocation each per task; an absent object
// decodes as zero, and task turns a zero one back into nil.
type taskJSON struct {
	ID        string
	CreatedAt time.Time
	ServiceID string
	Slot      int
	NodeID    string
	Spec      struct {
		ContainerSpec containerJSON
	}
	Status struct {
		Timestamp       time.Time
		State           swarm.TaskState
		Err             string
		ContainerStatus swarm.ContainerStatus
	}
	DesiredState swarm.TaskState
	JobIteration *swarm.Version
}

// containerJSON is the part of a task's container spec that is read: the
// image the model shows, the healthcheck command that tells healthy from
// merely running, and TTY, which says how the task's log stream is framed.
type containerJSON struct {
	Image       string
	Healthcheck struct{ Test []string }
	TTY         bool
}

// task makes the swarm.Task; status is where its container status goes.
// A container spec or status that is missing or has nothing the model reads
// in it is left nil: the model treats both the same.
func (t *taskJSON) task(specs containerSpecs, status *swarm.ContainerStatus) swarm.Task {
	out := swarm.Task{
		ID:           t.ID,
		Meta:         swarm.Meta{CreatedAt: t.CreatedAt},
		ServiceID:    t.ServiceID,
		Slot:         t.Slot,
		NodeID:       t.NodeID,
		Spec:         swarm.TaskSpec{ContainerSpec: specs.get(&t.Spec.ContainerSpec)},
		DesiredState: t.DesiredState,
		JobIteration: t.JobIteration,
		Status: swarm.TaskStatus{
			Timestamp: t.Status.Timestamp,
			State:     t.Status.State,
			Err:       t.Status.Err,
		},
	}
	if cs := t.Status.ContainerStatus; cs != (swarm.ContainerStatus{}) {
		*status = cs
		out.Status.ContainerStatus = status
	}
	return out
}

// containerSpecs shares one *swarm.ContainerSpec among the tasks that run
// the same image with the same healthcheck and TTY: a service's tasks do, and
// the struct is 400 bytes, so 10,000 tasks need a few thousand of them at
// most. The shared specs are read-only.
type containerSpecs map[string][]*swarm.ContainerSpec

func (m containerSpecs) get(c *containerJSON) *swarm.ContainerSpec {
	test := c.Healthcheck.Test
	if c.Image == "" && len(test) == 0 && !c.TTY {
		return nil
	}
	for _, spec := range m[c.Image] {
		if spec.TTY == c.TTY && slices.Equal(healthTest(spec), test) {
			return spec
		}
	}
	spec := &swarm.ContainerSpec{Image: c.Image, TTY: c.TTY}
	if len(test) > 0 {
		spec.Healthcheck = &container.HealthConfig{Test: test}
	}
	m[c.Image] = append(m[c.Image], spec)
	return spec
}

func healthTest(c *swarm.ContainerSpec) []string {
	if c.Healthcheck == nil {
		return nil
	}
	return c.Healthcheck.Test
}
