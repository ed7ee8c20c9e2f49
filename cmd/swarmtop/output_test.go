package main

import (
	"errors"
	"testing"

	"github.com/swarmtop/swarmtop/swarm"
)

// Unit tests of the command line's exit statuses, without an engine. The
// wording of diffs and deploys is internal/report's, tested there.

func TestExitCodes(t *testing.T) {
	lost := &engineLostError{&swarm.EngineLostError{Host: "tcp://10.0.0.1:2375"}}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"engine lost while waiting", lost, 3},
		{"not converged", notConverged([]swarm.Verdict{{Service: "web", Kind: swarm.Paused}}), exitFailed},
		{"stack differs", stackDiffersError{}, exitFailed},
		{"bad input", badInput(errors.New("boom")), exitBadInput},
		{"anything else", errors.New("boom"), exitFailed},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("%s: exit %d, want %d", tt.name, got, tt.want)
		}
	}
}
