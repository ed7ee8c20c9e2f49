package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Run shows the UI until the user quits. A panic anywhere in the model
// restores the terminal and comes back as a short error naming a file
// with the details, instead of a stack trace over a half-drawn screen.
func Run(ctx context.Context, be Backend, opts Options) error {
	m := &safeModel{inner: New(ctx, be, opts)}
	// lipgloss detected the terminal's colour profile as it loaded (inside
	// tmux that runs `tmux info`); Bubble Tea would detect it again, on the
	// way to the first frame.
	_, err := tea.NewProgram(m, tea.WithContext(ctx), tea.WithColorProfile(lipgloss.Writer.Profile)).Run()
	if m.crash != nil {
		return m.crash
	}
	if errors.Is(err, tea.ErrProgramPanic) {
		return errors.New("swarmtop stopped after an internal error (details above); the swarm was not changed by it")
	}
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// safeModel turns a panic in Update or View into a clean quit.
type safeModel struct {
	inner *Model
	crash error
}

func (s *safeModel) Init() tea.Cmd { return s.inner.Init() }

func (s *safeModel) Update(msg tea.Msg) (_ tea.Model, cmd tea.Cmd) {
	if s.crash != nil {
		return s, tea.Quit
	}
	defer func() {
		if r := recover(); r != nil {
			s.crash = crashError(r)
			cmd = tea.Quit
		}
	}()
	_, cmd = s.inner.Update(msg)
	return s, cmd
}

func (s *safeModel) View() (v tea.View) {
	defer func() {
		if r := recover(); r != nil {
			s.crash = crashError(r)
			v = tea.NewView("swarmtop hit an internal error; press any key to quit")
		}
	}()
	return s.inner.View()
}

// crashError writes the stack to a file and says where.
func crashError(r any) error {
	f, err := os.CreateTemp("", "swarmtop-crash-*.log")
	where := ""
	if err == nil {
		fmt.Fprintf(f, "panic: %v\n\n%s", r, debug.Stack())
		f.Close()
		where = "; details in " + f.Name()
	}
	return fmt.Errorf("internal error: %v%s (please report it)", r, where)
}
