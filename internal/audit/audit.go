// Package audit keeps swarmtop's audit log: one JSON line per change made to
// a swarm, by whom, where, and how it ended. Several swarmtop processes (an
// operator's TUI, a CI deploy) may append to the same file at once.
package audit

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Verdicts an entry can carry besides an error text. The first line of a
// change says "applied"; a second line, referencing the first by ID, says
// how it ended (the swarm.VerdictKind names: converged, paused, …).
const (
	Applied  = "applied"
	Detached = "detached"
)

// Entry is one line of the log.
type Entry struct {
	ID       string    `json:"id"`
	Ref      string    `json:"ref,omitempty"` // the ID of the change a verdict line is about
	Time     time.Time `json:"time"`          // RFC3339Nano
	User     string    `json:"user"`
	SudoUser string    `json:"sudo_user,omitempty"` // who ran sudo, when the user is root through it
	Host     string    `json:"host"`
	PID      int       `json:"pid"`
	Engine   string    `json:"engine"`
	Stack    string    `json:"stack,omitempty"`
	Object   string    `json:"object"` // a service's short name, or "network shop_backend"
	Action   string    `json:"action"`
	Before   string    `json:"before,omitempty"`
	After    string    `json:"after,omitempty"`
	Verdict  string    `json:"verdict"` // applied, an error text, or the final verdict
	Message  string    `json:"message,omitempty"`
}

// maxField bounds each text field so that a line stays well under 4 KiB:
// the kernel then writes it in one piece even where O_APPEND alone would not
// guarantee it (and the flock covers the rest).
const maxField = 512

// EnvPath names the log file, like --audit-log.
const EnvPath = "SWARMTOP_AUDIT_LOG"

// DefaultPath is $SWARMTOP_AUDIT_LOG, else $XDG_STATE_HOME/swarmtop/audit.log,
// else ~/.local/state/swarmtop/audit.log.
func DefaultPath() string {
	if p := os.Getenv(EnvPath); p != "" {
		return p
	}
	state := os.Getenv("XDG_STATE_HOME")
	if state == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = "."
		}
		state = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(state, "swarmtop", "audit.log")
}

// Logger appends entries to one file. It holds no open file: each Record
// opens, locks, writes and closes, so a rotated log is picked up at once
// and nothing is buffered when the process dies.
type Logger struct {
	Path string
	// who and where, looked up at the first Record: most commands write
	// nothing, and every command makes a Logger as it starts
	who                  sync.Once
	user, sudoUser, host string
	pid                  int
}

// New returns a logger for path, for this process's user and host.
func New(path string) *Logger { return &Logger{Path: path} }

func (l *Logger) lookUpWho() {
	l.user, l.sudoUser, l.pid = os.Getenv("USER"), os.Getenv("SUDO_USER"), os.Getpid()
	if u, err := user.Current(); err == nil {
		l.user = u.Username
	}
	l.host, _ = os.Hostname()
}

// NewID returns a short random ID for an entry.
func NewID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Record appends e as one line, filling in what the logger knows (time,
// user, host, ID) where e leaves it empty.
func (l *Logger) Record(e Entry) error {
	line, err := json.Marshal(l.complete(e))
	if err != nil {
		return err
	}
	return l.append(append(line, '\n'))
}

func (l *Logger) complete(e Entry) Entry {
	if e.ID == "" {
		e.ID = NewID()
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	l.who.Do(l.lookUpWho)
	e.User, e.SudoUser, e.Host, e.PID = l.user, l.sudoUser, l.host, l.pid
	for _, s := range []*string{&e.Object, &e.Action, &e.Before, &e.After, &e.Verdict, &e.Message} {
		*s = clip(*s)
	}
	return e
}

// append writes line with a single write(2) on an O_APPEND descriptor under
// an exclusive flock, so concurrent writers never interleave or lose lines.
// The directory is 0700 and the file 0600: the log says who changed what.
func (l *Logger) append(line []byte) error {
	if err := os.MkdirAll(filepath.Dir(l.Path), 0o700); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	f, err := os.OpenFile(l.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	defer f.Close()
	fd := int(f.Fd())
	if err := syscall.Flock(fd, syscall.LOCK_EX); err != nil {
		return fmt.Errorf("audit log: lock %s: %w", l.Path, err)
	}
	defer syscall.Flock(fd, syscall.LOCK_UN)
	n, err := f.Write(line)
	if err == nil && n != len(line) {
		err = errors.New("short write")
	}
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}

// clip cuts a field to maxField bytes on a rune boundary.
func clip(s string) string {
	if len(s) <= maxField {
		return s
	}
	cut := maxField
	for cut > 0 && s[cut]&0xC0 == 0x80 { // inside a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}
