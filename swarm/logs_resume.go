package swarm

import (
	"context"
	"time"

	"github.com/moby/moby/api/types/swarm"

	"github.com/swarmtop/swarmtop/internal/termsafe"
)

// A follow outlives a lost engine: readers cut off by the loss are noted
// with where they stopped (logSession.resume), the task list keeps being
// polled every second, and once it answers each of those tasks is read
// again from just after its last line.

// lose notes that the engine went away, with one Note for the outage.
func (s *logSession) lose(ctx context.Context, m *logMerger, err error) {
	s.mu.Lock()
	first := !s.lost
	s.lost = true
	s.mu.Unlock()
	if first {
		s.note(ctx, m, LinkLost, "lost connection to the engine ("+err.Error()+"), retrying…")
	}
}

// reconnected resumes, after a lost engine answered a task list again, the
// readers the loss cut off. A task gone meanwhile has nothing more to say.
func (s *logSession) reconnected(ctx context.Context, m *logMerger, tasks []swarm.Task) {
	s.mu.Lock()
	wasLost, cut := s.lost, s.resume
	s.lost, s.resume = false, map[string]logResumeAt{}
	s.mu.Unlock()
	if wasLost {
		s.note(ctx, m, LinkBack, "connected to the engine again; the logs resume")
	}
	if len(cut) == 0 {
		return
	}
	byID := make(map[string]swarm.Task, len(tasks))
	for _, t := range tasks {
		byID[t.ID] = t
	}
	for id, at := range cut {
		if t, ok := byID[id]; ok {
			s.start(ctx, m, t, at)
		} else {
			delete(s.subs, id)
		}
	}
}

// note puts a line of swarmtop's own into the stream, through a source of
// its own: a source left open would hold every other line for the merge
// window.
func (s *logSession) note(ctx context.Context, m *logMerger, link LinkChange, text string) {
	src := m.add()
	defer src.close()
	_ = src.send(ctx, LogLine{Time: time.Now(), Service: "swarmtop", Text: termsafe.Clean(text), Note: true, Link: link})
}
