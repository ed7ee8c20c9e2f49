package swarm

import "testing"

func TestServiceNotFoundErrorWording(t *testing.T) {
	tests := []struct {
		err  ServiceNotFoundError
		want string
	}{
		{ServiceNotFoundError{Stack: "shop", Name: "wbe", Known: []string{"web", "celery-beat", "nginx"}},
			`no service "wbe" in stack "shop" (it has: celery-beat, nginx, web)`},
		{ServiceNotFoundError{Stack: "shpo"}, `stack "shpo" has no services (is it deployed?)`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %s\nwant %s", got, tt.want)
		}
	}
}
