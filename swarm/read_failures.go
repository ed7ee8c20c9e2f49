package swarm

// Failure is one slot that is failing or failed recently: its newest failed
// task (with the full error) and how many of its tasks failed within the
// crash-loop window.
type Failure struct {
	Task  Task `json:"task"`
	Count int  `json:"count"`
}

// Failures lists the slots an operator should look at, in task order: those
// whose current task is unhealthy, restarting or failing, and those with a
// failure younger than the crash-loop window. Old failures that the slot
// has recovered from are left out; they stay in Tasks as history.
func (s *Snapshot) Failures() []Failure {
	var out []Failure
	for start := 0; start < len(s.Tasks); {
		end := start + 1
		for end < len(s.Tasks) && sameTaskSlot(&s.Tasks[start], &s.Tasks[end]) {
			end++
		}
		if f, ok := s.slotFailure(s.Tasks[start:end]); ok {
			out = append(out, f)
		}
		start = end
	}
	return out
}

// slotFailure judges one slot's tasks, newest first.
func (s *Snapshot) slotFailure(slot []Task) (Failure, bool) {
	var f Failure
	found, troubled := false, false
	for _, t := range slot {
		if t.Current && t.Health >= HealthUnhealthy {
			troubled = true
		}
		if !t.Failed {
			continue
		}
		if !found {
			f.Task, found = t, true
		}
		if s.Taken.Sub(t.Since) <= restartWindow {
			f.Count++
		}
	}
	return f, found && (troubled || f.Count > 0)
}

// sameTaskSlot mirrors the grouping BuildSnapshot sorts by: tasks of one
// service and slot, and for global services (slot 0) of one node.
func sameTaskSlot(x, y *Task) bool {
	return x.ServiceID == y.ServiceID && x.Slot == y.Slot && (x.Slot != 0 || x.NodeID == y.NodeID)
}
