// Command tuiprobe measures swarmtop's terminal UI from the outside, for
// scripts/tui-budgets.sh. It prints figures and asserts nothing.
//
//	tuiprobe frame -size 80x24 -want RE [-want RE…] -- CMD…
//	    ms from starting CMD in a tmux pane until the screen matches every RE
//	tuiprobe idle -size 80x24 -settle 5s -for 30s -- CMD…
//	    bytes CMD writes to its pty and CPU it uses over -for, after -settle
//	tuiprobe keys -size 80x24 -ready RE -open TEXT -opened RE -key K -on RE -off RE -- CMD…
//	    in tmux: wait for -ready, type TEXT and Enter, wait for -opened, then
//	    press K repeatedly and time each until the screen matches -on (then
//	    -off, alternately); meanwhile sample the process's RSS every second
//	tuiprobe ticker -fps 60 -for 30s
//	    the CPU this process uses doing nothing but waking on a time.Ticker
//	    at -fps: the floor of any Bubble Tea v2 program's idle CPU on this
//	    machine, since its renderer flushes on such a ticker (60 per second)
//
// Screens are read with `tmux capture-pane` every 5 ms, so a figure
// includes up to 5 ms of polling and tmux's own time to parse the output.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const poll = 5 * time.Millisecond

func main() {
	if len(os.Args) < 2 {
		fail("usage: tuiprobe frame|idle|keys|ticker [flags] [-- CMD…]")
	}
	var err error
	switch os.Args[1] {
	case "frame":
		err = frame(os.Args[2:])
	case "idle":
		err = idle(os.Args[2:])
	case "keys":
		err = keys(os.Args[2:])
	case "ticker":
		err = ticker(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fail(err.Error())
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "tuiprobe:", msg)
	os.Exit(1)
}

// regexps is a repeatable -want flag.
type regexps []*regexp.Regexp

func (r *regexps) String() string { return fmt.Sprint(*r) }
func (r *regexps) Set(s string) error {
	re, err := regexp.Compile("(?m)" + s)
	if err == nil {
		*r = append(*r, re)
	}
	return err
}

func parseSize(s string) (w, h int, err error) {
	ws, hs, ok := strings.Cut(s, "x")
	w, err1 := strconv.Atoi(ws)
	h, err2 := strconv.Atoi(hs)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("bad size %q, want WxH", s)
	}
	return w, h, nil
}

// frame: time to the first screen that matches every -want.
func frame(args []string) error {
	fs := flag.NewFlagSet("frame", flag.ExitOnError)
	size := fs.String("size", "80x24", "terminal size")
	session := fs.String("session", fmt.Sprintf("tuiprobe-%d", os.Getpid()), "tmux session name")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after")
	var want regexps
	fs.Var(&want, "want", "regexp the screen must match (repeatable)")
	fs.Parse(args)
	t, err := newTmux(*session, *size)
	if err != nil {
		return err
	}
	defer t.close()
	start := time.Now()
	if err := t.start(fs.Args()); err != nil {
		return err
	}
	if _, err := t.waitFor(*timeout, want...); err != nil {
		return err
	}
	fmt.Printf("%.1f\n", ms(time.Since(start)))
	return nil
}

// keys: key latency and RSS while the screen is busy.
func keys(args []string) error {
	fs := flag.NewFlagSet("keys", flag.ExitOnError)
	size := fs.String("size", "80x24", "terminal size")
	session := fs.String("session", fmt.Sprintf("tuiprobe-%d", os.Getpid()), "tmux session name")
	var ready, opened, on, off regexps
	fs.Var(&ready, "ready", "regexp: the UI is up (repeatable)")
	open := fs.String("open", "", "text typed (then Enter) once ready")
	fs.Var(&opened, "opened", "regexp: what -open leads to is on screen (repeatable)")
	settle := fs.Duration("settle", 3*time.Second, "wait after -opened before measuring")
	key := fs.String("key", "T", "tmux key that toggles the screen between -on and -off")
	fs.Var(&on, "on", "regexp: the key's effect is shown")
	fs.Var(&off, "off", "regexp: the key's effect is undone")
	every := fs.Duration("every", time.Second, "time between key presses (and RSS samples)")
	samples := fs.Int("samples", 20, "key presses")
	fs.Parse(args)
	t, err := newTmux(*session, *size)
	if err != nil {
		return err
	}
	defer t.close()
	if err := t.start(fs.Args()); err != nil {
		return err
	}
	if _, err := t.waitFor(30*time.Second, ready...); err != nil {
		return err
	}
	pid, err := t.pid()
	if err != nil {
		return err
	}
	fmt.Printf("rss before %s: %.1f MB\n", *open, rssMB(pid))
	if err := t.sendText(*open); err != nil {
		return err
	}
	if err := t.send("Enter"); err != nil {
		return err
	}
	if _, err := t.waitFor(30*time.Second, opened...); err != nil {
		return err
	}
	time.Sleep(*settle)

	var lat []float64
	var rss []float64
	cpu0, wall0 := cpuTicks(pid), time.Now()
	for i := range *samples {
		want := on
		if i%2 == 1 {
			want = off
		}
		tick := time.Now()
		if err := t.send(*key); err != nil {
			return err
		}
		d, err := t.waitFor(5*time.Second, want...)
		if err != nil {
			return err
		}
		lat = append(lat, ms(d))
		rss = append(rss, rssMB(pid))
		time.Sleep(time.Until(tick.Add(*every)))
	}
	cpu := float64(cpuTicks(pid)-cpu0) / clockTicks / time.Since(wall0).Seconds() * 100

	fmt.Printf("key latency ms (%d samples): %s\n", len(lat), stats(lat))
	fmt.Printf("rss MB every %s: %s\n", *every, join(rss))
	fmt.Printf("rss MB first→last: %.1f → %.1f (max %.1f)\n", rss[0], rss[len(rss)-1], slices.Max(rss))
	fmt.Printf("cpu %%: %.1f\n", cpu)
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// stats is "min … median … mean … p90 … max".
func stats(xs []float64) string {
	s := slices.Clone(xs)
	slices.Sort(s)
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	return fmt.Sprintf("min %.1f  median %.1f  mean %.1f  p90 %.1f  max %.1f",
		s[0], s[len(s)/2], sum/float64(len(s)), s[len(s)*9/10], s[len(s)-1])
}

func join(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.FormatFloat(x, 'f', 1, 64)
	}
	return strings.Join(parts, " ")
}

// tmux is one detached session of a fixed size, holding one pane.
type tmux struct{ name string }

func newTmux(name, size string) (*tmux, error) {
	w, h, err := parseSize(size)
	if err != nil {
		return nil, err
	}
	t := &tmux{name: name}
	// An idle pane first, so starting the command below does not include
	// starting the tmux server or the session.
	if _, err = t.run("new-session", "-d", "-s", t.name, "-x", strconv.Itoa(w), "-y", strconv.Itoa(h), "sleep 3600"); err != nil {
		return nil, err
	}
	// A command that prints and exits (docker stack services) keeps its
	// output on screen, so it is timed the same way as the TUI.
	_, err = t.run("set-option", "-t", t.name, "remain-on-exit", "on")
	return t, err
}

func (t *tmux) run(args ...string) (string, error) {
	out, err := exec.Command("tmux", args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("tmux %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// start replaces the idle pane's process with argv (exec'd, so the pane's
// pid is the command's).
func (t *tmux) start(argv []string) error {
	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	_, err := t.run("respawn-pane", "-k", "-t", t.name, "exec "+strings.Join(quoted, " "))
	return err
}

func (t *tmux) pid() (int, error) {
	out, err := t.run("display-message", "-p", "-t", t.name, "#{pane_pid}")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(out))
}

func (t *tmux) send(key string) error {
	_, err := t.run("send-keys", "-t", t.name, key)
	return err
}

func (t *tmux) sendText(text string) error {
	_, err := t.run("send-keys", "-t", t.name, "-l", text)
	return err
}

func (t *tmux) capture() (string, error) { return t.run("capture-pane", "-p", "-t", t.name) }

func (t *tmux) close() { _, _ = t.run("kill-session", "-t", t.name) }

// waitFor polls the screen until it matches every re and says how long
// that took.
func (t *tmux) waitFor(timeout time.Duration, res ...*regexp.Regexp) (time.Duration, error) {
	start := time.Now()
	screen := ""
	for time.Since(start) < timeout {
		var err error
		if screen, err = t.capture(); err != nil {
			return 0, err
		}
		if matchAll(screen, res) {
			return time.Since(start), nil
		}
		time.Sleep(poll)
	}
	return 0, fmt.Errorf("timed out after %s waiting for %v; screen:\n%s", timeout, res, screen)
}

func matchAll(s string, res []*regexp.Regexp) bool {
	for _, re := range res {
		if !re.MatchString(s) {
			return false
		}
	}
	return true
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on
// every Linux this runs on.
const clockTicks = 100

// cpuTicks is the process's user+system time, all threads.
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; fields count from after its ')'.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return utime + stime
}

// rssMB is VmRSS from /proc/PID/status.
func rssMB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// ticker: the CPU a bare frame clock costs here, for comparison with idle.
func ticker(args []string) error {
	fs := flag.NewFlagSet("ticker", flag.ExitOnError)
	fps := fs.Int("fps", 60, "wake-ups per second")
	period := fs.Duration("for", 30*time.Second, "measure for")
	fs.Parse(args)
	t := time.NewTicker(time.Second / time.Duration(*fps))
	defer t.Stop()
	cpu0, start := selfCPU(), time.Now()
	for time.Since(start) < *period {
		<-t.C
	}
	used := selfCPU() - cpu0
	fmt.Printf("a bare %d/s Go ticker: cpu %.2f %% (%.3f s in %s)\n", *fps,
		float64(used)/float64(time.Since(start))*100, used.Seconds(), *period)
	return nil
}

// selfCPU is this process's user and system time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
