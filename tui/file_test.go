package tui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/stackfile"
	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/internal/fakebe"
)

// withFile writes content as stack.yml in a temp dir and returns options
// opening the shop stack with it, as `swarmtop -c stack.yml -s shop` does.
func withFile(t *testing.T, content string, opts Options) Options {
	t.Helper()
	path := filepath.Join(t.TempDir(), "stack.yml")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	load := stackfile.Options{Files: []string{path}, StackName: "shop"}
	st, err := stackfile.Load(context.Background(), load)
	if err != nil {
		t.Fatal(err)
	}
	opts.Stack, opts.File, opts.LoadFile = "shop", st, LoadFiles(load)
	return opts
}

var ctrlE = tea.KeyPressMsg{Code: 'e', Mod: tea.ModCtrl}

func TestDriftMarkersGolden(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		h := newHarness(t, withFile(t, fakebe.ShopFile, Options{}), sz.w, sz.h)
		h.wantScreen("3 drifted from file", "2/2 (file 3)", "≠ repl", "≠ image", "flower", "≠ missing", "DRIFT")
		h.golden()
	})
}

func TestDriftDetailOfMissingService(t *testing.T) {
	h := newHarness(t, withFile(t, fakebe.ShopFile, Options{}), 80, 24)
	h.keys("G")
	h.wantScreen("flower  drift: in the file, not deployed")
	h.keys("s", "r") // no service actions on a row that is not deployed
	h.notScreen("Confirm")
}

func TestDiffViewGolden(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		h := newHarness(t, withFile(t, fakebe.ShopFile, Options{}), sz.w, sz.h)
		h.keys("D")
		h.wantScreen("shop › diff", "3 of 6 services differ", "flower: missing", "image  nginx:1.27-alpine → nginx:1.27.3-alpine",
			"replicas  2 → 3", "same: celery-beat, celery-worker, migrate")
		h.golden()
		h.keys("q")
		h.wantScreen("DRIFT")
	})
}

func TestDiffMasksSecretValues(t *testing.T) {
	be := fakebe.New()
	be.OtherChanges = map[string][]swarm.FieldChange{"web": {{Field: "env.DB_PASSWORD", Live: "hunter2", File: "s3cret"}}}
	h := newHarnessWith(t, be, withFile(t, fakebe.ShopFile, Options{}), 80, 24)
	h.wantScreen("≠ repl,env")
	h.keys(":")
	h.typeText("diff")
	h.keys("enter")
	h.wantScreen("env.DB_PASSWORD")
	h.notScreen("hunter2", "s3cret")
}

func TestDeployConfirmProgressAndVerdict(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		h := newHarness(t, withFile(t, fakebe.ShopFile, Options{}), sz.w, sz.h)
		h.send(ctrlE)
		h.wantScreen("Confirm deploy", "Deploy the stack file to stack shop", "create  service  flower",
			"update  service  nginx: image", "note: web: keeps its live replicas 2", "[ Confirm ]")
		h.golden()
		h.keys("y", "enter") // inside the grace period
		if calls := h.be.CallList(); !slices.Equal(calls, []string{"plan shop"}) {
			t.Fatalf("calls = %v", calls)
		}
		h.later()
		h.keys("y")
		if calls := h.be.CallList(); !slices.Equal(calls, []string{"plan shop", "deploy shop"}) {
			t.Fatalf("calls = %v", calls)
		}
		h.wantScreen("✓ deploy shop: flower converged in 4s", "nginx converged", "web converged")
	})
}

func TestDeployFailureShowsReport(t *testing.T) {
	be := fakebe.New()
	be.DeployErr = errors.New("port 80 is already in use")
	h := newHarnessWith(t, be, withFile(t, fakebe.ShopFile, Options{}), 80, 24)
	h.keys(":")
	h.typeText("deploy")
	h.keys("enter")
	h.later()
	h.keys("y")
	h.wantScreen("shop › deploy report", "failed    service  flower: port 80 is already in use",
		"skipped   service  nginx: not attempted", "✗ deploy shop: deploy stopped at service flower")
	h.golden()
}

func TestReleaseConfirmAndVerdict(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		h := newHarness(t, Options{Stack: "shop"}, sz.w, sz.h)
		h.keys("T")
		h.wantScreen("Release stack shop (now on tag 1.4.2)", "> 1.4.2")
		t.Run("input", func(t *testing.T) { h.t = t; h.golden() })
		h.t = t
		h.keys("backspace")
		h.typeText("3")
		h.keys("enter")
		h.wantScreen("Confirm release", "tag 1.4.2 → 1.4.3", "web  web:1.4.2 → web:1.4.3",
			"celery-worker  web:1.4.2 → web:1.4.3", "skip nginx  nginx:1.27-alpine")
		t.Run("confirm", func(t *testing.T) { h.t = t; h.golden() })
		h.t = t
		h.later()
		h.keys("y")
		if calls := h.be.CallList(); !slices.Equal(calls, []string{"release shop 1.4.3 1.4.2"}) {
			t.Fatalf("calls = %v", calls)
		}
		h.wantScreen("✓ release shop 1.4.2→1.4.3: celery-beat converged")
	})
}

func TestReleaseCommandRefusesBadTags(t *testing.T) {
	h := newHarness(t, Options{Stack: "shop"}, 80, 24)
	for line, want := range map[string]string{"release 1.4.2": "on tag 1.4.2 already", "release a:b": "give a tag"} {
		h.keys(":")
		h.typeText(line)
		h.keys("enter")
		h.wantScreen(want)
	}
	h.keys(":")
	h.typeText("release 2.0")
	h.keys("enter")
	h.wantScreen("Confirm release", "tag 1.4.2 → 2.0")
}

// selectService moves the services table to name.
func selectService(h *harness, name string) {
	h.keys("g")
	for range 10 {
		if strings.Contains(h.screen(), "tasks of "+name+" ") {
			return
		}
		h.keys("j")
	}
	h.t.Fatalf("no service %s", name)
}

func TestWriteBackFlow(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		opts := withFile(t, fakebe.ShopFile, Options{})
		h := newHarness(t, opts, sz.w, sz.h)
		selectService(h, "web")
		h.wantScreen("2/2 (file 3)", "drift: replicas 2 → file 3")
		h.keys("W")
		h.wantScreen("Confirm write-back", "Write live replicas 2 of web into stack.yml", "(the file says 3)")
		h.golden()
		h.later()
		h.keys("y")
		content, _ := os.ReadFile(opts.File.Files[0])
		if !strings.Contains(string(content), "replicas: 2\n") || strings.Contains(string(content), "replicas: 3") {
			t.Fatalf("file not written:\n%s", content)
		}
		h.wantScreen("wrote ", "wrote stack.yml:19: replicas 3 → 2", "2 drifted from file")
		h.notScreen("(file 3)")
	})
}

func TestWriteBackRefusalNamesVariable(t *testing.T) {
	file := strings.Replace(fakebe.ShopFile, "replicas: 3", "replicas: ${WEB_REPLICAS:-3}", 1)
	h := newHarness(t, withFile(t, file, Options{}), 80, 24)
	selectService(h, "web")
	h.keys("W")
	h.later()
	h.keys("y")
	h.wantScreen("write-back refused", "variable WEB_REPLICAS")
}

func TestScaleVerdictOffersWriteBack(t *testing.T) {
	h := newHarness(t, withFile(t, fakebe.ShopFile, Options{}), 80, 24)
	selectService(h, "web")
	h.keys("s", "backspace", "4", "enter")
	h.later()
	h.keys("y")
	h.wantScreen("web converged in 4s · W writes 4 into stack.yml")
}

func TestReadOnlyRefusesFileActions(t *testing.T) {
	forSizes(t, func(t *testing.T, sz size) {
		h := newHarness(t, withFile(t, fakebe.ShopFile, Options{ReadOnly: true}), sz.w, sz.h)
		selectService(h, "web")
		h.send(ctrlE)
		h.keys("T", "W")
		h.notScreen("Confirm", "Release stack")
		h.keys("?")
		h.wantScreen("diff with file")
		h.notScreen("release tag", "deploy file", "write replicas")
		h.keys("?")
		for _, line := range []string{"deploy", "release 2.0"} {
			h.keys(":")
			h.typeText(line)
			h.keys("enter")
			h.wantScreen("read-only")
		}
		h.send(askWriteBackWeb(h))
		h.wantScreen("read-only: write-back is disabled")
		if calls := h.be.CallList(); len(calls) != 0 {
			t.Fatalf("read-only made calls: %v", calls)
		}
		h.keys("D") // the diff only reads: allowed
		h.wantScreen("3 of 6 services differ")
	})
}

func askWriteBackWeb(h *harness) tea.Msg {
	svc, _ := h.m.service("web")
	return common.AskWriteBack{Service: svc}
}

// Too narrow for the summary in words, the drift count and then the other
// counts drop words before anything is cut off, and the connection state
// stays whole.
func TestSummaryShortensBeforeItIsCut(t *testing.T) {
	for _, tt := range []struct {
		width int
		want  string
	}{
		{80, "4/5 services converged · 1 task failing · 1 node · 3 drifted from file  ● live"},
		{70, "4/5 services converged · 1 task failing · 1 node · 3 drifted  ● live"},
		{60, "4/5 converged · 1 failing · 1 node · 3 drifted  ● live"},
	} {
		h := newHarness(t, withFile(t, fakebe.ShopFile, Options{}), tt.width, 24)
		h.wantScreen("3 drifted")
		if line := strings.Split(h.screen(), "\n")[1]; strings.TrimSpace(line) != tt.want {
			t.Errorf("at %d columns the summary is %q, want %q", tt.width, line, tt.want)
		}
	}
}
