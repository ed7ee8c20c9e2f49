package swarm

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"

	"github.com/moby/moby/client"
)

func isSSH(host string) bool { return strings.HasPrefix(host, "ssh://") }

// sshClientOpts are the docker CLI's client options for an ssh:// context:
// each connection runs `ssh … docker system dial-stdio` and talks plain HTTP
// over its stdin and stdout. host is the helper's dummy http:// URL.
func sshClientOpts(host string, dial dialFunc) []client.Opt {
	return []client.Opt{
		client.WithHTTPClient(&http.Client{Transport: &http.Transport{DialContext: dial}}),
		client.WithHost(host),
		client.WithDialContext(dial),
		client.WithAPIVersionFromEnv(),
	}
}

// sshExit finds the exit status in the ssh helper's error, which reads
// "command [ssh …] has exited with exit status 255, make sure …: stderr=…".
var sshExit = regexp.MustCompile(`has exited with exit status (\d+)`)

// sshFailure turns the ssh helper's long error (the whole command line, a
// generic plea and all of ssh's stderr) into one line: who failed and ssh's
// or the remote's last stderr line. ok is false for other errors.
func sshFailure(err error) (_ error, ok bool) {
	if err == nil {
		return nil, false
	}
	if errors.Is(err, exec.ErrNotFound) {
		return errors.New("no ssh command on this machine: install an OpenSSH client"), true
	}
	msg := err.Error()
	i := strings.LastIndex(msg, "stderr=")
	if i < 0 {
		return nil, false
	}
	last := lastLine(msg[i+len("stderr="):])
	m := sshExit.FindStringSubmatch(msg)
	switch {
	case m == nil: // ssh hung up without exiting
		return fmt.Errorf("ssh failed: %s", last), true
	case m[1] == "255": // ssh's own failures: refused, unknown host, auth
		return fmt.Errorf("ssh exited with status 255: %s", last), true
	case m[1] == "127": // the remote shell's "command not found"
		return fmt.Errorf("no docker command on the remote host: %s", last), true
	default:
		return fmt.Errorf("remote `docker system dial-stdio` exited with status %s: %s", m[1], last), true
	}
}

// lastLine is the last non-blank line of s: ssh prints warnings (added
// host keys, banners) before the line that says what went wrong.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if line := strings.TrimSpace(lines[i]); line != "" {
			return line
		}
	}
	return "no output on stderr"
}

// sshHint replaces the local-socket hints for an ssh address.
func sshHint(kind ConnectErrorKind, host string) (string, bool) {
	if !isSSH(host) {
		return "", false
	}
	switch kind {
	case NoEngine:
		return "check that `" + sshCheckCommand(host) + "` works: ssh key, known_hosts, docker on the remote PATH", true
	case PermissionDenied:
		return "the ssh user needs the remote docker socket: log in as root or a docker group member", true
	}
	return "", false
}

// sshCheckCommand is the command an operator can paste to see the problem.
func sshCheckCommand(host string) string {
	u, err := url.Parse(host)
	if err != nil || u.Hostname() == "" {
		return "ssh USER@HOST docker version"
	}
	cmd := "ssh "
	if u.Port() != "" {
		cmd += "-p " + u.Port() + " "
	}
	if u.User != nil {
		cmd += u.User.Username() + "@"
	}
	return cmd + u.Hostname() + " docker version"
}
