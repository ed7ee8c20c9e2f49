package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/swarmtop/swarmtop/swarm"
)

// logsFlags are the logs command's own flags.
type logsFlags struct {
	follow     bool
	tail       int
	since      string
	timestamps bool
	allTasks   bool
}

func newLogsCommand(g *globalFlags) *cobra.Command {
	f := &logsFlags{}
	cmd := &cobra.Command{
		Use:   "logs [SERVICE…] [-f] [--tail N] [--since D] [-t] [--all-tasks]",
		Short: "Print the logs of services (no SERVICE: the whole stack) in time order, each line prefixed service.slot@node",
		Long: "logs reads every running task of the services, merges the lines in time order and prefixes\n" +
			"each with where it came from (web.2@node-1). With -f it follows: tasks that replace others\n" +
			"(update, restart, crash) are picked up as they start. If the engine goes away, -f says so on\n" +
			"stderr, retries every second and carries on from each task's last line when it is back (Ctrl-C\n" +
			"stops it). --tail counts per task, running tasks only unless --all-tasks. Escape sequences in\n" +
			"the output are removed before they reach the terminal.",
		Example: "  swarmtop logs web -s shop --tail 20\n" +
			"  swarmtop logs -c stack.yml -f --since 10m\n" +
			"  swarmtop logs web celery-worker -s shop -t --since 2026-11-22T05:00:00Z",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLogs(cmd, g, f, args)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&f.follow, "follow", "f", false, "keep printing new lines, following tasks as they are replaced")
	fl.IntVarP(&f.tail, "tail", "n", -1, "lines to show from the end of each task's log (-1: all)")
	fl.StringVar(&f.since, "since", "", "only lines since a duration ago (10m, 1h30m) or an RFC 3339 time")
	fl.BoolVarP(&f.timestamps, "timestamps", "t", false, "print each line's time")
	fl.BoolVar(&f.allTasks, "all-tasks", false, "also read tasks that have ended (replaced, failed)")
	return cmd
}

func runLogs(cmd *cobra.Command, g *globalFlags, f *logsFlags, services []string) error {
	since, err := parseSince(f.since, time.Now())
	if err != nil {
		return badInput(err)
	}
	stack, e, err := connectStack(cmd, g)
	if err != nil {
		return err
	}
	defer e.Close()
	// Ctrl-C ends a follow; that is the normal way out, not a failure.
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	stream, err := e.Logs(ctx, stack, swarm.LogOptions{
		Services: services, Follow: f.follow, Tail: f.tail, Since: since, AllTasks: f.allTasks,
	})
	if err != nil {
		return err
	}
	defer stream.Close()
	if err := printLogs(cmd.OutOrStdout(), cmd.ErrOrStderr(), stream, f.timestamps); err != nil {
		return err
	}
	if err := stream.Err(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// parseSince reads --since: a duration back from now, or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("--since %s: want a positive duration", s)
		}
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--since %q: want a duration (10m, 2h) or an RFC 3339 time (2026-11-22T05:00:00Z)", s)
	}
	return t, nil
}

// printLogs writes "prefix | text" lines, buffered while more lines are
// waiting and flushed as soon as none are, so a follow is prompt and a
// large history is fast. Prefixes are padded to the widest seen so far.
// Notes from swarmtop go to stderr, to keep stdout the containers' output.
func printLogs(stdout, stderr io.Writer, stream *swarm.LogStream, timestamps bool) error {
	w := bufio.NewWriterSize(stdout, 64<<10)
	width := 0
	for l := range stream.Lines() {
		if l.Note {
			if err := w.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(stderr, "%s: %s\n", l.Prefix(), l.Text)
			continue
		}
		width = max(width, len(l.Prefix()))
		w.WriteString(formatLogLine(l, width, timestamps))
		if len(stream.Lines()) == 0 {
			if err := w.Flush(); err != nil {
				return err
			}
		}
	}
	return w.Flush()
}

func formatLogLine(l swarm.LogLine, width int, timestamps bool) string {
	var b strings.Builder
	b.WriteString(l.Prefix())
	b.WriteString(strings.Repeat(" ", max(width-len(l.Prefix()), 0)))
	b.WriteString(" | ")
	if timestamps {
		b.WriteString(l.Time.UTC().Format("2006-01-02T15:04:05.000000000Z"))
		b.WriteByte(' ')
	}
	b.WriteString(l.Text)
	b.WriteByte('\n')
	return b.String()
}
