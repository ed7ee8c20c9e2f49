package inspect

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	swarmtypes "github.com/moby/moby/api/types/swarm"

	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/styles"
)

func TestMaskValue(t *testing.T) {
	cases := []struct{ name, value, want string }{
		{"DB_PASSWORD", "hunter2", Mask},
		{"POSTGRES_PASSWD", "x", Mask},
		{"DJANGO_SECRET_KEY", "abc", Mask},
		{"GITHUB_TOKEN", "ghp_x", Mask},
		{"AWS_ACCESS_KEY_ID", "AKIA", Mask},
		{"GOOGLE_APPLICATION_CREDENTIALS", "{...}", Mask},
		{"BASIC_AUTH", "admin:pw", Mask},
		{"TLS_PRIVATE", "-----BEGIN", Mask},
		{"SENTRY_DSN", "https://abc@o1.ingest.sentry.io/2", Mask},
		{"api_key", "lower case names too", Mask},
		{"traefik.http.middlewares.auth.basicauth.users", "admin:$apr1$x", Mask},
		{"POSTGRES_PASSWORD_FILE", "/run/secrets/db_password", "/run/secrets/db_password"},
		{"DATABASE_URL", "postgres://app:s3cret@db:5432/shop", "postgres://app:" + Mask + "@db:5432/shop"},
		{"CELERY_BROKER_URL", "redis://:p%40ss@redis:6379/0", "redis://:" + Mask + "@redis:6379/0"},
		{"CACHE_URL", "redis://redis:6379/1", "redis://redis:6379/1"},
		{"UPSTREAM", "https://user@example.com/x", "https://user@example.com/x"},
		{"ODD_URL", "amqp://u:pa#ss@mq/vhost", "amqp://u:" + Mask + "@mq/vhost"},
		{"DJANGO_SETTINGS_MODULE", "shop.settings", "shop.settings"},
		{"DEBUG", "0", "0"},
		{"EMPTY_PASSWORD", "", ""},
	}
	for _, c := range cases {
		if got := MaskValue(c.name, c.value); got != c.want {
			t.Errorf("MaskValue(%q, %q) = %q, want %q", c.name, c.value, got, c.want)
		}
	}
}

func TestSpecYAMLMasksAndCleans(t *testing.T) {
	hidden, err := SpecYAML(sampleSpec(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"hunter2", "s3cret", "$apr1$", "\x1b"} {
		if strings.Contains(hidden, leak) {
			t.Errorf("%q shown:\n%s", leak, hidden)
		}
	}
	for _, want := range []string{
		"- DB_PASSWORD=" + Mask, "- DATABASE_URL=postgres://app:" + Mask + "@db:5432/shop",
		"- DJANGO_SETTINGS_MODULE=shop.settings", "Image: registry.example.com/shop/web:1.42.0",
		"TaskTemplate:\n  ContainerSpec:", "title]2;pwned", "Monitor: 30s",
	} {
		if !strings.Contains(hidden, want) {
			t.Errorf("missing %q:\n%s", want, hidden)
		}
	}
	shown, _ := SpecYAML(sampleSpec(), true)
	if !strings.Contains(shown, "DB_PASSWORD=hunter2") || strings.Contains(shown, Mask) || strings.Contains(shown, "\x1b") {
		t.Errorf("revealed:\n%s", shown)
	}
	// The engine's field order, not the alphabet: Name comes first.
	if !strings.HasPrefix(hidden, "Name: shop_web\n") {
		t.Errorf("order:\n%s", hidden[:80])
	}
}

func TestRevealToggles(t *testing.T) {
	m := newTestModel(80, 24)
	if strings.Contains(screen(m), "hunter2") || m.Revealed() {
		t.Fatal("secrets shown at start")
	}
	m.Update(tea.KeyPressMsg{Code: 'r', Text: "r"})
	if !m.Revealed() || !strings.Contains(screen(m), "SECRETS SHOWN") {
		t.Errorf("r:\n%s", screen(m))
	}
	for range 30 {
		m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	}
	if !strings.Contains(screen(m), "hunter2") {
		t.Errorf("revealed env not on screen after scrolling:\n%s", screen(m))
	}
	m.Update(tea.KeyPressMsg{Code: 'r', Text: "r"})
	if strings.Contains(screen(m), "hunter2") {
		t.Error("r again did not hide")
	}
}

func TestGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m := newTestModel(size[0], size[1])
			m.Update(tea.KeyPressMsg{Code: tea.KeyPgDown})
			golden.RequireEqual(t, screen(m))
		})
	}
}

func newTestModel(w, h int) *Model {
	svc := swarm.Service{ID: "x1", Name: "web", FullName: "shop_web", Stack: "shop", Version: 42,
		Spec: sampleSpec(), UpdatedAt: time.Date(2026, 11, 22, 5, 0, 0, 0, time.UTC)}
	m := New(&common.Common{Styles: styles.New(true, false)}, svc)
	m.SetSize(w, h)
	return m
}

func screen(m *Model) string { return ansi.Strip(m.View()) }

func sampleSpec() swarmtypes.ServiceSpec {
	replicas := uint64(3)
	return swarmtypes.ServiceSpec{
		Annotations: swarmtypes.Annotations{Name: "shop_web", Labels: map[string]string{
			"com.docker.stack.namespace":                    "shop",
			"traefik.http.middlewares.auth.basicauth.users": "admin:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/",
			"evil": "\x1b]2;pwned\x07title]2;pwned",
		}},
		TaskTemplate: swarmtypes.TaskSpec{
			ContainerSpec: &swarmtypes.ContainerSpec{
				Image:   "registry.example.com/shop/web:1.42.0",
				Command: []string{"gunicorn", "shop.wsgi", "--bind", "0.0.0.0:8000"},
				Env: []string{
					"DJANGO_SETTINGS_MODULE=shop.settings",
					"DB_PASSWORD=hunter2",
					"DATABASE_URL=postgres://app:s3cret@db:5432/shop",
					"POSTGRES_PASSWORD_FILE=/run/secrets/db_password",
				},
			},
		},
		Mode: swarmtypes.ServiceMode{Replicated: &swarmtypes.ReplicatedService{Replicas: &replicas}},
		UpdateConfig: &swarmtypes.UpdateConfig{Parallelism: 1, Order: "start-first", FailureAction: "rollback",
			Monitor: 30 * time.Second},
	}
}
