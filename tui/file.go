package tui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/swarmtop/swarmtop/stackfile"
	"github.com/swarmtop/swarmtop/swarm"
	"github.com/swarmtop/swarmtop/tui/common"
	"github.com/swarmtop/swarmtop/tui/dialog"
	"github.com/swarmtop/swarmtop/tui/ops"
	"github.com/swarmtop/swarmtop/tui/render"
	diffview "github.com/swarmtop/swarmtop/tui/views/diff"
	"github.com/swarmtop/swarmtop/tui/views/report"
	stackview "github.com/swarmtop/swarmtop/tui/views/stack"
)

// The stack-file flows: the diff view, deploy, release and writing a
// replica count back. Their I/O runs in Cmds that answer with these.
type (
	deployPlanned struct {
		plan *swarm.DeployPlan
		err  error
	}
	wroteBack struct {
		res stackfile.WriteBackResult
		err error
	}
	fileLoaded struct {
		st  *stackfile.Stack
		err error
	}
)

// onFileMsg handles the stack-file messages; ok is false for others.
func (m *Model) onFileMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case common.OpenDiff:
		return m.openDiff(), true
	case common.AskDeploy:
		return m.planDeploy(), true
	case common.AskRelease:
		return m.askRelease(msg.Stack, msg.Services, ""), true
	case common.AskWriteBack:
		return m.askWriteBack(msg.Service), true
	case deployPlanned:
		return m.confirmDeploy(msg), true
	case wroteBack:
		return m.onWroteBack(msg), true
	case fileLoaded:
		return m.onFileLoaded(msg), true
	}
	return nil, false
}

// needFile refuses what needs the stack file when there is none, and what
// changes anything in read-only mode; what is the action's name.
func (m *Model) needFile(what string, changes bool) tea.Cmd {
	switch {
	case changes && m.c.ReadOnly:
		return failed("read-only: " + what + " is disabled")
	case m.file == nil:
		return failed("no stack file: start swarmtop with -c stack.yml for " + what)
	case m.currentStack() != "" && m.currentStack() != m.file.Name:
		return failed("the stack file is stack " + m.file.Name + "'s, not " + m.currentStack() + "'s")
	}
	return nil
}

func (m *Model) openDiff() tea.Cmd {
	if cmd := m.needFile("the diff", false); cmd != nil {
		return cmd
	}
	id := m.newID()
	return m.push(view{id, diffview.New(m.ctx, m.c, id, m.be, m.file)})
}

// planDeploy works the deploy out in a Cmd; the confirmation follows.
func (m *Model) planDeploy() tea.Cmd {
	if cmd := m.needFile("deploy", true); cmd != nil {
		return cmd
	}
	m.notice = &common.Status{Text: "planning the deploy of " + fileNames(m.file) + "…"}
	ctx, be, st := m.ctx, m.be, m.file
	return func() tea.Msg {
		plan, err := be.PlanDeploy(ctx, st, swarm.DeployOptions{})
		return deployPlanned{plan: plan, err: err}
	}
}

func (m *Model) confirmDeploy(msg deployPlanned) tea.Cmd {
	if msg.err != nil {
		return failed("cannot deploy: " + oneLine(msg.err.Error()))
	}
	m.notice = nil
	plan := msg.plan
	preview := "from " + fileNames(m.file) + ":\n" + strings.Join(render.DeployPlanLines(&plan.DeployResult), "\n")
	return m.confirm(ops.Op{Kind: ops.Deploy, Stack: plan.Stack, FullName: plan.Stack, Plan: plan, Preview: preview})
}

// askRelease opens the release input, or with a tag its confirmation.
func (m *Model) askRelease(stack string, services []swarm.Service, tag string) tea.Cmd {
	if m.c.ReadOnly {
		return failed("read-only: release is disabled")
	}
	if tag != "" {
		op, err := dialog.ReleaseOp(stack, services, render.MajorityTag(services), tag)
		if err != nil {
			return failed("cannot release: " + err.Error())
		}
		return m.confirm(op)
	}
	in, err := dialog.NewRelease(m.c, stack, services)
	if err != nil {
		return failed("cannot release: " + err.Error())
	}
	return common.Send(dialog.OpenMsg{Dialog: in})
}

// askWriteBack confirms writing a service's live count into the file.
func (m *Model) askWriteBack(svc swarm.Service) tea.Cmd {
	if cmd := m.needFile("write-back", true); cmd != nil {
		return cmd
	}
	if svc.Replicas == nil || svc.Mode != swarm.ModeReplicated {
		return failed("cannot write back " + svc.Name + ": it is a " + svc.Mode + " service")
	}
	fileSvc, ok := m.file.Service(svc.Name)
	if !ok {
		return failed(svc.Name + " is not in " + fileNames(m.file))
	}
	n := *svc.Replicas
	body := fmt.Sprintf("Write live replicas %d of %s into %s\n(the file says %s)", n, svc.Name, fileNames(m.file), fileReplicas(fileSvc))
	d := dialog.NewConfirmAction(m.c, "Confirm write-back", body, dialog.WriteBack{Service: svc.Name, Replicas: n})
	return common.Send(dialog.OpenMsg{Dialog: d})
}

func fileReplicas(s stackfile.Service) string {
	if s.Replicas == nil {
		return "nothing: 1"
	}
	return fmt.Sprint(*s.Replicas)
}

// writeBack writes the file in a Cmd.
func (m *Model) writeBack(a dialog.WriteBack) tea.Cmd {
	if cmd := m.needFile("write-back", true); cmd != nil {
		return cmd
	}
	st := m.file
	return func() tea.Msg {
		res, err := stackfile.WriteBackReplicas(st, a.Service, a.Replicas)
		return wroteBack{res: res, err: err}
	}
}

// onWroteBack says what was written, or why not, and reloads the file so
// the drift is computed against what it says now.
func (m *Model) onWroteBack(msg wroteBack) tea.Cmd {
	if msg.err != nil {
		m.log("error", render.Clean("write-back refused: "+msg.err.Error()), render.ToneDanger)
		return failed(render.Clean("write-back refused: " + refusal(msg.err)))
	}
	res := msg.res
	res.File = filepath.Base(res.File) // the status line has no room for the directory
	text := "wrote " + res.String()
	if msg.res.Old == msg.res.New {
		text = "the file says " + msg.res.New + " already"
	}
	m.log("action", render.Clean(text), render.ToneOK)
	m.notice = &common.Status{Text: render.Clean(text)}
	return m.reloadFile()
}

// refusal puts what is wrong first and where last, so the status line
// shows the reason (the variable to change) even when it is cut.
func refusal(err error) string {
	var e *stackfile.Error
	if !errors.As(err, &e) || e.File == "" {
		return err.Error()
	}
	where := filepath.Base(e.File)
	if e.Line > 0 {
		where += fmt.Sprintf(":%d", e.Line)
	}
	return e.Msg + " (" + where + ")"
}

func (m *Model) reloadFile() tea.Cmd {
	load := m.opts.LoadFile
	if load == nil {
		return nil
	}
	ctx := m.ctx
	return func() tea.Msg {
		st, err := load(ctx)
		return fileLoaded{st: st, err: err}
	}
}

// onFileLoaded swaps the file in and has the stack views diff it again.
func (m *Model) onFileLoaded(msg fileLoaded) tea.Cmd {
	if msg.err != nil {
		return failed("cannot reload the stack file: " + oneLine(msg.err.Error()))
	}
	m.file = msg.st
	var cmds []tea.Cmd
	for _, v := range m.views {
		if sv, ok := v.comp.(*stackview.Model); ok && sv.Stack() == msg.st.Name {
			cmds = append(cmds, sv.ReloadFile(msg.st))
		}
	}
	return tea.Batch(cmds...)
}

// deployReport shows what a deploy that stopped part way did.
func (m *Model) deployReport(res *swarm.DeployResult) tea.Cmd {
	return m.push(view{m.newID(), report.New(m.c, "deploy report", render.DeployReportLines(res))})
}

// writeBackHint offers the write-back after a scale that worked.
func (m *Model) writeBackHint(op ops.Op) string {
	if m.file == nil || m.c.ReadOnly || op.Kind != ops.Scale || op.Stack != m.file.Name {
		return ""
	}
	if _, ok := m.file.Service(op.Service); !ok {
		return ""
	}
	return " · W writes " + op.To + " into " + fileNames(m.file)
}

func fileNames(st *stackfile.Stack) string { return render.FileNames(st.Files) }

// LoadFiles is the usual Options.LoadFile: load the files again with the
// same options.
func LoadFiles(opts stackfile.Options) func(ctx context.Context) (*stackfile.Stack, error) {
	return func(ctx context.Context) (*stackfile.Stack, error) { return stackfile.Load(ctx, opts) }
}
