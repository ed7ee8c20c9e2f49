package render

import (
	"strconv"
	"time"

	"github.com/swarmtop/swarmtop/swarm"
)

// TaskHeader is the tasks table's columns.
func TaskHeader() []Column {
	return []Column{
		{Title: "SLOT", Min: 4, Max: 24},
		{Title: "NODE", Min: 6, Max: 20},
		{Title: "STATE", Min: 10, Max: 18},
		{Title: "DESIRED", Min: 7, Max: 9, Drop: true},
		{Title: "RESTARTS", Min: 3, Max: 8, Drop: true},
		{Title: "ERROR", Min: 5, Max: 200},
	}
}

// TaskRow renders one task. restarts is how many earlier tasks its slot
// has (the engine keeps a few); now judges the age.
func TaskRow(t swarm.Task, restarts int, now time.Time) Row {
	return Row{
		Cells: []string{
			SlotName(t),
			Clean(t.Node),
			Clean(t.State) + " " + Age(t.Since, now),
			Clean(t.DesiredState),
			strconv.Itoa(restarts),
			orDash(Clean(t.Err)),
		},
		Tone: taskTone(t),
	}
}

// TaskRows renders tasks with their slots' restarts, as SlotTasks returns
// them.
func TaskRows(tasks []swarm.Task, restarts []int, now time.Time) []Row {
	rows := make([]Row, len(tasks))
	for i, t := range tasks {
		rows[i] = TaskRow(t, restarts[i], now)
	}
	return rows
}

// NextTaskAgeChange is the first NextAgeChange of the tasks' ages as
// TaskRow shows them; zero when there are none.
func NextTaskAgeChange(tasks []swarm.Task, now time.Time) time.Time {
	var first time.Time
	for _, t := range tasks {
		if next := NextAgeChange(t.Since, now); !next.IsZero() && (first.IsZero() || next.Before(first)) {
			first = next
		}
	}
	return first
}

// SlotName is service.slot, or service@node for global services.
func SlotName(t swarm.Task) string {
	if t.Slot == 0 {
		return Clean(t.Service) + "@" + Clean(t.Node)
	}
	return Clean(t.Service) + "." + strconv.Itoa(t.Slot)
}

func taskTone(t swarm.Task) Tone {
	switch {
	case !t.Current:
		return ToneMuted
	case t.Failed || t.Health >= swarm.HealthUnhealthy:
		return ToneDanger
	case t.State != t.DesiredState:
		return ToneWarning
	}
	return ToneNormal
}

// TaskDetail is the full, untruncated description of a task for the detail
// line: the error an operator needs is often longer than the column.
func TaskDetail(t swarm.Task) string {
	out := SlotName(t) + " " + Clean(t.State)
	if t.ExitCode != 0 {
		out += " exit " + strconv.Itoa(t.ExitCode)
	}
	if t.Err != "" {
		out += ": " + Clean(t.Err)
	}
	return out
}

// SlotTasks picks a service's tasks from a snapshot (sorted by slot, newest
// first) and counts, for each, the earlier tasks of its slot. With history
// false only current tasks are kept.
func SlotTasks(tasks []swarm.Task, serviceID string, history bool) ([]swarm.Task, []int) {
	var out []swarm.Task
	var restarts []int
	slotSize := map[string]int{}
	for _, t := range tasks {
		if t.ServiceID == serviceID {
			slotSize[slotKey(t)]++
		}
	}
	for _, t := range tasks {
		if t.ServiceID != serviceID || (!history && !t.Current) {
			continue
		}
		out = append(out, t)
		restarts = append(restarts, slotSize[slotKey(t)]-1)
	}
	return out, restarts
}

func slotKey(t swarm.Task) string {
	if t.Slot == 0 {
		return "@" + t.NodeID
	}
	return strconv.Itoa(t.Slot)
}
