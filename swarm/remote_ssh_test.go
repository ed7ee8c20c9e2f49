package swarm_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/swarmtop/swarmtop/internal/enginetest"
	sw "github.com/swarmtop/swarmtop/swarm"
)

const sshdPath = "/usr/sbin/sshd" // sshd refuses to start from a relative path

// sshServer is a throwaway sshd on a loopback port that lets root in with
// one generated key; its remote commands reach the local engine.
type sshServer struct {
	port   string
	key    string   // the authorized client key
	badKey string   // a key sshd does not know
	flags  []string // ssh flags that trust this server and nothing else
}

func (s *sshServer) url() string { return "ssh://root@127.0.0.1:" + s.port }

// sshFlags points ssh at key and away from the user's own ssh setup.
func sshFlags(key string) []string {
	return []string{"-F", "/dev/null", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		"-o", "ConnectTimeout=5"}
}

// startSSHD runs sshd in the foreground for the test and kills it after;
// extra is more sshd_config.
func startSSHD(t *testing.T, extra string) *sshServer {
	t.Helper()
	requireSSHD(t)
	dir := t.TempDir()
	s := &sshServer{port: sshFreePort(t), key: filepath.Join(dir, "id"), badKey: filepath.Join(dir, "other")}
	s.flags = sshFlags(s.key)
	for _, key := range []string{"host", "id", "other"} {
		runTool(t, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "swarmtop-test", "-f", filepath.Join(dir, key))
	}
	config := fmt.Sprintf(`ListenAddress 127.0.0.1
HostKey %s
AuthorizedKeysFile %s
PidFile %s
StrictModes no
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
LogLevel ERROR
%s
`, filepath.Join(dir, "host"), filepath.Join(dir, "id.pub"), filepath.Join(dir, "sshd.pid"), extra)
	configFile := filepath.Join(dir, "sshd_config")
	if err := os.WriteFile(configFile, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	// Privilege separation needs this directory; the package makes it at boot.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	cmd := exec.Command(sshdPath, "-D", "-e", "-f", configFile, "-p", s.port)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Let sshd reap its connection processes first: killed earlier,
		// they outlive it as zombies under an init that may never reap.
		waitNoChildren(cmd.Process.Pid, 5*time.Second)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("sshd log:\n%s", logs.String())
		}
	})
	waitListening(t, "127.0.0.1:"+s.port, &logs)
	return s
}

// requireSSHD installs Debian's openssh-server when sshd is missing. The
// tests need root (sshd logs in as root); without it they skip, except
// under CI, which must run them.
func requireSSHD(t *testing.T) {
	t.Helper()
	var why string
	if os.Geteuid() != 0 {
		why = "ssh test needs root: it runs sshd and logs in as root"
	} else if _, err := os.Stat(sshdPath); err == nil {
		return
	} else if err := aptInstall("openssh-server"); err == nil {
		return
	} else {
		why = "ssh test needs sshd: apt-get install openssh-server: " + err.Error()
	}
	if os.Getenv("CI") == "true" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// aptInstall installs a package, refreshing the package lists only when
// the first attempt fails, as it does on a fresh image.
func aptInstall(pkg string) error {
	install := func() error {
		cmd := exec.Command("apt-get", "install", "-y", "-q", "--no-install-recommends", pkg)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%v: %s", err, outputTail(out))
		}
		return nil
	}
	if install() == nil {
		return nil
	}
	if out, err := exec.Command("apt-get", "update", "-q").CombinedOutput(); err != nil {
		return fmt.Errorf("apt-get update: %v: %s", err, outputTail(out))
	}
	return install()
}

func outputTail(out []byte) string {
	if len(out) > 500 {
		out = out[len(out)-500:]
	}
	return string(out)
}

func runTool(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", name, err, out)
	}
}

func sshFreePort(t *testing.T) string {
	t.Helper()
	_, port, _ := net.SplitHostPort(closedAddress(t))
	return port
}

func waitListening(t *testing.T, addr string, logs *bytes.Buffer) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if conn, err := net.Dial("tcp", addr); err == nil {
			conn.Close()
			return
		}
	}
	t.Fatalf("sshd never listened on %s:\n%s", addr, logs.String())
}

// waitNoChildren waits until no process has pid as its parent.
func waitNoChildren(pid int, limit time.Duration) {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if !hasChildren(pid) {
			return
		}
	}
}

func hasChildren(pid int) bool {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, file := range stats {
		stat, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		// The fields after the command name, which is in parentheses and
		// may hold spaces: state, then the parent's pid.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			return true
		}
	}
	return false
}

func TestConnectSSHReachesTheSwarm(t *testing.T) {
	local := enginetest.Engine(t)
	isolateDockerEnv(t)
	srv := startSSHD(t, "")

	start := time.Now()
	e, err := sw.Connect(context.Background(), sw.ConnectOptions{Host: srv.url(), SSHFlags: srv.flags})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Host != srv.url() || nodeID(t, e) != nodeID(t, local) || !e.Manager {
		t.Errorf("got host %s node %s manager %v, want %s node %s manager", e.Host, nodeID(t, e), e.Manager, srv.url(), nodeID(t, local))
	}
	// A real read over the same ssh transport, beyond Connect's own calls.
	if _, err := e.Stacks(context.Background()); err != nil {
		t.Errorf("list stacks over ssh: %v", err)
	}
	t.Logf("ssh connect and read took %v", time.Since(start))
}

func TestConnectSSHFailuresAreOneLine(t *testing.T) {
	enginetest.Engine(t)
	isolateDockerEnv(t)
	srv := startSSHD(t, "")
	// The remote shell finds no docker on this PATH.
	noDocker := startSSHD(t, "SetEnv PATH=/nonexistent")
	// The remote docker finds no engine at this address.
	noEngine := startSSHD(t, "SetEnv DOCKER_HOST=unix:///nonexistent/docker.sock")
	closed := "ssh://root@127.0.0.1:" + sshFreePort(t)

	tests := []struct {
		name string
		opts sw.ConnectOptions
		want []string
	}{
		{"closed port", sw.ConnectOptions{Host: closed, SSHFlags: srv.flags},
			[]string{closed, "Connection refused", "status 255"}},
		{"key not authorized", sw.ConnectOptions{Host: srv.url(), SSHFlags: sshFlags(srv.badKey)},
			[]string{srv.url(), "Permission denied (publickey)"}},
		{"no docker on the remote", sw.ConnectOptions{Host: noDocker.url(), SSHFlags: noDocker.flags},
			[]string{noDocker.url(), "no docker command on the remote host", "not found"}},
		{"no engine on the remote", sw.ConnectOptions{Host: noEngine.url(), SSHFlags: noEngine.flags},
			[]string{noEngine.url(), "dial-stdio` exited with status 1", "/nonexistent/docker.sock"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sw.Connect(context.Background(), tt.opts)
			var ce *sw.ConnectError
			if !errors.As(err, &ce) || ce.Kind != sw.NoEngine || ce.ExitCode() != 3 {
				t.Fatalf("got %v, want a NoEngine ConnectError (exit 3)", err)
			}
			t.Log(err)
			assertOneLineNaming(t, err, tt.want...)
		})
	}
}
