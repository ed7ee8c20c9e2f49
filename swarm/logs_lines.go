package swarm

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"

	"github.com/swarmtop/swarmtop/internal/termsafe"
)

// logMaxLine bounds one line's text. The engine itself splits lines longer
// than 16 KiB into several messages; swarmtop joins them up to this limit
// and says how much it cut.
const logMaxLine = 16 << 10

// logTask is what a line needs to know about its task.
type logTask struct {
	id, service string
	slot        int
	node        string
	tty         bool // the stream is raw, not multiplexed
}

// line makes a LogLine of this task; the text is cleaned for the terminal.
func (t logTask) line(at time.Time, stderr bool, text string) LogLine {
	return LogLine{Time: at, Service: t.service, Slot: t.slot, Node: t.node, TaskID: t.id,
		Stderr: stderr, Text: termsafe.Clean(text)}
}

// logStallLimit is how long a history read (no follow) may wait on the
// engine for more data. Swarm log streams are known to hang now and then
// instead of ending (docker/cli#4678, moby#38640); a task on a node that is
// down never answers.
const logStallLimit = 10 * time.Second

// errLogStalled ends a history read that stopped receiving data.
var errLogStalled = errors.New("the engine sent nothing for " + logStallLimit.String() + "; stopped waiting")

// readTaskLogs streams one task's log into emit until the engine ends it,
// ctx ends, or emit fails.
func readTaskLogs(ctx context.Context, api *client.Client, t logTask, opts client.TaskLogsOptions, emit func(LogLine) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var watchdog *time.Timer
	if !opts.Follow {
		watchdog = time.AfterFunc(logStallLimit, func() { cancel(errLogStalled) })
		defer watchdog.Stop()
	}
	rc, err := api.TaskLogs(ctx, t.id, opts)
	if err == nil {
		defer rc.Close()
		var r io.Reader = rc
		if watchdog != nil {
			r = &stallReader{r: rc, watchdog: watchdog, limit: logStallLimit}
		}
		err = demuxLogs(r, t.tty, func(r rawLine) error {
			return emit(t.line(r.time, r.stderr, r.text))
		})
	}
	if context.Cause(ctx) == errLogStalled {
		return errLogStalled
	}
	return err
}

// stallReader arms the watchdog only while it waits on the engine, so a
// slow consumer (backpressure) never counts as a stalled engine.
type stallReader struct {
	r        io.Reader
	watchdog *time.Timer
	limit    time.Duration
}

func (s *stallReader) Read(p []byte) (int, error) {
	s.watchdog.Reset(s.limit)
	n, err := s.r.Read(p)
	s.watchdog.Stop()
	return n, err
}

// rawLine is a line as read, before cleaning.
type rawLine struct {
	time   time.Time
	stderr bool
	text   string
}

// demuxLogs splits a task log stream, requested with timestamps, into
// lines. Without a TTY the engine multiplexes stdout and stderr in frames;
// the API 1.41 engine sends no Content-Type, so the caller decides by the
// task's TTY setting. A last line without a newline is still delivered.
func demuxLogs(r io.Reader, tty bool, emit func(rawLine) error) error {
	stdout := &lineAssembler{emit: emit}
	if tty {
		return readRawLogs(r, stdout)
	}
	stderr := &lineAssembler{emit: emit, stderr: true}
	// StdCopy hands each frame to a single Write, and the engine puts one
	// log message in each frame: the writers rely on both.
	_, err := stdcopy.StdCopy(messageWriter{stdout}, messageWriter{stderr}, r)
	return errors.Join(err, stdout.flush(), stderr.flush())
}

// readRawLogs splits a TTY stream, where messages simply follow each other,
// each "TIMESTAMP text\n".
func readRawLogs(r io.Reader, a *lineAssembler) error {
	br := bufio.NewReaderSize(r, 32<<10)
	atStart := true
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 {
			var emitErr error
			if atStart {
				emitErr = a.message(chunk)
			} else {
				emitErr = a.text(chunk) // the rest of a line longer than the buffer
			}
			if emitErr != nil {
				return emitErr
			}
			atStart = chunk[len(chunk)-1] == '\n'
		}
		switch {
		case err == nil, errors.Is(err, bufio.ErrBufferFull):
		case errors.Is(err, io.EOF):
			return a.flush()
		default:
			return errors.Join(err, a.flush())
		}
	}
}

// messageWriter feeds each frame StdCopy writes to an assembler.
type messageWriter struct{ a *lineAssembler }

func (w messageWriter) Write(p []byte) (int, error) {
	return len(p), w.a.message(p)
}

// lineAssembler turns log messages into lines of one stream (stdout or
// stderr). A message is "TIMESTAMP text"; the text ends with a newline
// unless the engine split a long line, whose parts are joined here and
// stamped with the time of the first.
type lineAssembler struct {
	emit   func(rawLine) error
	stderr bool
	buf    []byte
	time   time.Time
	open   bool // a line is started and not yet emitted
	cut    int  // bytes dropped beyond logMaxLine
}

// message takes one message, its timestamp first.
func (a *lineAssembler) message(msg []byte) error {
	at, text := splitLogTimestamp(msg)
	if !a.open {
		a.time = at
	}
	return a.text(text)
}

// text adds text to the current line and emits it at a newline.
func (a *lineAssembler) text(text []byte) error {
	a.open = true
	complete := bytes.HasSuffix(text, []byte("\n"))
	if complete {
		text = text[:len(text)-1]
	}
	a.add(text)
	if complete {
		return a.flush()
	}
	return nil
}

// add appends what fits under logMaxLine, cutting on a rune boundary.
func (a *lineAssembler) add(text []byte) {
	room := logMaxLine - len(a.buf)
	if len(text) > room {
		keep := max(room, 0)
		for keep > 0 && !utf8.RuneStart(text[keep]) {
			keep--
		}
		a.cut += len(text) - keep
		text = text[:keep]
	}
	a.buf = append(a.buf, text...)
}

// flush emits the current line, if any.
func (a *lineAssembler) flush() error {
	if !a.open {
		return nil
	}
	text := string(bytes.TrimSuffix(a.buf, []byte("\r"))) // a TTY ends lines with CRLF
	if a.cut > 0 {
		text += " [… " + strconv.Itoa(a.cut) + " more bytes cut by swarmtop]"
	}
	line := rawLine{time: a.time, stderr: a.stderr, text: text}
	a.buf, a.open, a.cut = a.buf[:0], false, 0
	return a.emit(line)
}

// splitLogTimestamp splits "2026-11-22T05:08:43.437990670Z text". A message
// without a readable timestamp (never seen) is stamped with the time now,
// so that it still merges near its neighbours.
func splitLogTimestamp(msg []byte) (time.Time, []byte) {
	if i := bytes.IndexByte(msg, ' '); i > 0 {
		if t, err := time.Parse(time.RFC3339Nano, string(msg[:i])); err == nil {
			return t, msg[i+1:]
		}
	}
	return time.Now(), msg
}
