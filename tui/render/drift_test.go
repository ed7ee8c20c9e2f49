package render

import (
	"testing"

	"github.com/swarmtop/swarmtop/swarm"
)

func TestDriftTextAndDetail(t *testing.T) {
	replicas := &swarm.FieldChange{Field: "replicas", Live: "4", File: "2"}
	image := &swarm.FieldChange{Field: "image", Live: "web:1", File: "web:2"}
	tests := []struct {
		name         string
		drift        *swarm.Drift
		text, detail string
	}{
		{"as the file", nil, "-", ""},
		{"missing", &swarm.Drift{Missing: true}, "≠ missing", "drift: in the file, not deployed (deploy creates it)"},
		{"replicas", &swarm.Drift{Replicas: replicas}, "≠ repl", "drift: replicas 4 → file 2  (D: diff)"},
		{"one other field, by name", &swarm.Drift{Others: []string{"ports"}}, "≠ ports", "drift: ports  (D: diff)"},
		{"env variables are one group", &swarm.Drift{Replicas: replicas, Others: []string{"env.DEBUG", "env.DB_HOST"}},
			"≠ repl,env", "drift: replicas 4 → file 2 · env.DEBUG, env.DB_HOST  (D: diff)"},
		{"too many names for the column: a count", &swarm.Drift{Replicas: replicas, Image: image, Others: []string{"ports", "env.X"}},
			"≠ repl,image,+2", "drift: replicas 4 → file 2 · image web:1 → file web:2 · ports, env.X  (D: diff)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DriftText(tt.drift); got != tt.text {
				t.Errorf("DriftText = %q, want %q", got, tt.text)
			}
			if tt.drift != nil {
				if got := DriftDetail(*tt.drift); got != tt.detail {
					t.Errorf("DriftDetail = %q, want %q", got, tt.detail)
				}
			}
		})
	}
}
