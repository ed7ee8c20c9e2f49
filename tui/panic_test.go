package tui

import (
	"strings"
	"testing"

	"github.com/swarmtop/swarmtop/tui/common"
)

func TestPanicInAViewBecomesACleanError(t *testing.T) {
	h := newHarness(t, Options{Stack: "shop", Logs: func(c *common.Common, _ string, _ []string) common.Component {
		return stubView{title: "logs", panic: true}
	}}, 80, 24)
	s := &safeModel{inner: h.m}
	h.keys("l")
	v := s.View()
	if !strings.Contains(v.Content, "internal error") || s.crash == nil {
		t.Fatalf("view = %q, crash = %v", v.Content, s.crash)
	}
	if !strings.Contains(s.crash.Error(), "stub view exploded") || !strings.Contains(s.crash.Error(), "details in") {
		t.Fatalf("crash error = %v", s.crash)
	}
	if _, cmd := s.Update(keyMsg("j")); cmd == nil {
		t.Fatal("no quit after a crash")
	}
}
