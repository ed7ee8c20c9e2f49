package swarm

import (
	"encoding/binary"
	"hash/maphash"
)

// fingerprintSeed is fixed for the process: fingerprints are compared only
// within one run, never stored.
var fingerprintSeed = maphash.MakeSeed()

// Fingerprint hashes everything in the snapshot an operator can see change,
// and nothing else: Taken and the raw Spec are left out (the spec's version
// index stands for it). Two snapshots with the same fingerprint render the
// same, so a watcher can skip emitting without comparing them field by field.
func (s *Snapshot) Fingerprint() uint64 {
	f := fingerprinter{}
	f.h.SetSeed(fingerprintSeed)
	f.str(s.Stack)
	// Each list is preceded by its length, as each string is, so the
	// items of one cannot pass for those of the next.
	f.num(uint64(len(s.Services)))
	for i := range s.Services {
		f.service(&s.Services[i])
	}
	f.num(uint64(len(s.Tasks)))
	for i := range s.Tasks {
		f.task(&s.Tasks[i])
	}
	f.num(uint64(len(s.Nodes)))
	for i := range s.Nodes {
		f.node(&s.Nodes[i])
	}
	return f.h.Sum64()
}

type fingerprinter struct {
	h   maphash.Hash
	buf [8]byte
}

func (f *fingerprinter) num(v uint64) {
	binary.LittleEndian.PutUint64(f.buf[:], v)
	f.h.Write(f.buf[:])
}

// str writes the length first so "ab"+"c" and "a"+"bc" differ.
func (f *fingerprinter) str(v string) {
	f.num(uint64(len(v)))
	f.h.WriteString(v)
}

func (f *fingerprinter) flag(v bool) {
	if v {
		f.num(1)
	} else {
		f.num(0)
	}
}

func (f *fingerprinter) service(s *Service) {
	f.str(s.ID)
	f.str(s.Name)
	f.str(s.Image)
	f.num(s.Version)
	f.num(s.Running)
	f.num(s.Desired)
	f.num(s.Completed)
	f.str(s.UpdateState)
	f.str(s.UpdateMessage)
	f.num(uint64(s.Health))
	f.flag(s.Converged)
	f.flag(s.HasPreviousSpec)
	f.num(uint64(len(s.Ports)))
	for _, p := range s.Ports {
		f.str(p)
	}
}

func (f *fingerprinter) task(t *Task) {
	f.str(t.ID)
	f.str(t.NodeID)
	f.str(t.Node)
	f.str(t.State)
	f.str(t.DesiredState)
	f.num(uint64(t.Since.UnixNano()))
	f.str(t.Err)
	f.num(uint64(t.ExitCode))
	f.str(t.ContainerID)
	f.flag(t.Failed)
	f.flag(t.Current)
	f.num(uint64(t.Health))
}

func (f *fingerprinter) node(n *Node) {
	f.str(n.ID)
	f.str(n.Hostname)
	f.str(n.Role)
	f.str(n.Availability)
	f.str(n.Status)
	f.str(n.EngineVersion)
	f.str(n.Addr)
	f.flag(n.Leader)
	f.num(uint64(n.Tasks))
}
