package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"

	"github.com/spf13/cobra"

	"github.com/swarmtop/swarmtop/internal/audit"
	"github.com/swarmtop/swarmtop/swarm"
)

// safety holds the global flags that limit what swarmtop may change and
// record what it changed.
type safety struct {
	readOnly bool
	auditLog string
}

// annotationMutates marks a command that changes the swarm; --read-only
// refuses it before it connects.
const annotationMutates = "swarmtop/mutates"

// mutating is the Annotations of a command that changes the swarm.
func mutating() map[string]string { return map[string]string{annotationMutates: "yes"} }

func (s *safety) register(root *cobra.Command) {
	s.readOnly = envBool("SWARMTOP_READ_ONLY")
	pf := root.PersistentFlags()
	pf.BoolVar(&s.readOnly, "read-only", s.readOnly,
		"show only: refuse every change, in the UI and on the command line (also SWARMTOP_READ_ONLY=1)")
	pf.StringVar(&s.auditLog, "audit-log", "",
		"append every change to this file (default: $SWARMTOP_AUDIT_LOG, else $XDG_STATE_HOME/swarmtop/audit.log)")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error { return s.refuse(cmd) }
}

// refuse stops a mutating command in read-only mode before it reads a file
// or dials the engine: the operator gets one line and exit 2. A deploy with
// --dry-run changes nothing and may run.
func (s *safety) refuse(cmd *cobra.Command) error {
	if !s.readOnly || cmd.Annotations[annotationMutates] == "" {
		return nil
	}
	if dry := cmd.Flags().Lookup("dry-run"); dry != nil && dry.Value.String() == "true" {
		return nil
	}
	return badInput(fmt.Errorf("%s refused: read-only mode (--read-only or SWARMTOP_READ_ONLY) is on; nothing was changed", cmd.Name()))
}

// envBool reads a boolean environment variable; unset or unparsable is false.
func envBool(name string) bool {
	v, err := strconv.ParseBool(os.Getenv(name))
	return err == nil && v
}

// auditPath is --audit-log, else the default location.
func (s *safety) auditPath() string {
	if s.auditLog != "" {
		return s.auditLog
	}
	return audit.DefaultPath()
}

// attachAudit records every change e writes in the audit log. A failed
// write does not undo or stop the change (it is made already); warn says so.
func (s *safety) attachAudit(e *swarm.Engine, warn func(error)) {
	logger := audit.New(s.auditPath())
	engine := engineAddress(e)
	e.SetAudit(func(ev swarm.AuditEvent) {
		if err := logger.Record(auditEntry(engine, ev)); err != nil {
			warn(err)
		}
	})
}

func auditEntry(engine string, ev swarm.AuditEvent) audit.Entry {
	return audit.Entry{ID: ev.ID, Ref: ev.Ref, Engine: engine, Stack: ev.Stack, Object: ev.Object,
		Action: ev.Action, Before: ev.Before, After: ev.After, Verdict: ev.Verdict, Message: ev.Message}
}

// warnTo prints audit failures as they happen, for the command line.
func warnTo(w io.Writer) func(error) {
	return func(err error) { fmt.Fprintf(w, "swarmtop: warning: %v\n", err) }
}

// deferredWarnings keeps audit failures while the TUI owns the terminal,
// to print them once it is restored.
type deferredWarnings struct {
	mu    sync.Mutex
	first error
	count int
}

func (d *deferredWarnings) add(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.first == nil {
		d.first = err
	}
	d.count++
}

func (d *deferredWarnings) print(w io.Writer) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.first != nil {
		fmt.Fprintf(w, "swarmtop: warning: %d audit log write(s) failed, the first: %v\n", d.count, d.first)
	}
}
