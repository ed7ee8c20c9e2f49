package swarm

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/cli/cli/connhelper"
	dcontext "github.com/docker/cli/cli/context"
	"github.com/docker/cli/cli/context/docker"
	"github.com/docker/cli/cli/context/store"
	"github.com/moby/moby/client"
)

// The docker CLI's names, so a shell set up for `docker` works unchanged.
const (
	envContext     = "DOCKER_CONTEXT" // the context to use, per shell
	envConfigDir   = "DOCKER_CONFIG"  // where config.json and contexts/ live
	envTLS         = "DOCKER_TLS"     // TLS without verifying the engine
	defaultContext = "default"        // the CLI's name for "no context"
)

// contextStoreConfig reads the docker endpoint of a context as typed
// metadata; other endpoints (kubernetes, once) stay untyped and unused.
var contextStoreConfig = store.NewConfig(nil,
	store.EndpointTypeGetter(docker.DockerEndpoint, func() any { return &docker.EndpointMeta{} }))

// target is the engine address picked the way the docker CLI picks it, with
// the TLS material that goes with it.
type target struct {
	endpoint docker.Endpoint
	context  string // "" when the address did not come from a context
}

func (t target) host() string {
	if t.endpoint.Host == "" {
		return client.DefaultDockerHost
	}
	return t.endpoint.Host
}

func (t target) fail(kind ConnectErrorKind, err error) *ConnectError {
	return &ConnectError{Kind: kind, Host: t.host(), Context: t.context, Err: err}
}

// resolveTarget applies the docker CLI's order: --host, --context,
// DOCKER_HOST, DOCKER_CONTEXT, config.json's currentContext, local socket.
// Like the CLI it refuses --host with --context rather than pick one.
func resolveTarget(opts ConnectOptions) (target, error) {
	if opts.Host != "" && opts.Context != "" {
		return target{}, &ConnectError{Kind: BadConfig, Host: opts.Host, Context: opts.Context,
			Err: errors.New("--host and --context both name an engine"), advice: "give one of them"}
	}
	name, from, err := contextName(opts)
	if err != nil {
		return target{}, err
	}
	if name == "" || name == defaultContext {
		return envTarget(opts.Host)
	}
	return contextTarget(name, from)
}

// contextName returns the context to use and what named it. An address from
// --host or DOCKER_HOST means no context, as in the docker CLI, but an
// explicit --context wins over DOCKER_HOST.
func contextName(opts ConnectOptions) (name, from string, err error) {
	switch {
	case opts.Context != "":
		return opts.Context, "--context", nil
	case opts.Host != "", os.Getenv(client.EnvOverrideHost) != "":
		return "", "", nil
	case os.Getenv(envContext) != "":
		return os.Getenv(envContext), envContext, nil
	}
	return currentContext()
}

// currentContext reads the context `docker context use` saved. A broken
// config.json is an error rather than a silent fall back to the local
// socket: the operator meant some other engine.
func currentContext() (name, from string, err error) {
	file := filepath.Join(configDir(), "config.json")
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", nil
	}
	if err != nil {
		return "", "", &ConnectError{Kind: BadConfig, Err: err}
	}
	var cfg struct {
		CurrentContext string `json:"currentContext"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return "", "", &ConnectError{Kind: BadConfig, Err: fmt.Errorf("%s: %w", file, err)}
	}
	return cfg.CurrentContext, "currentContext in " + file, nil
}

// configDir is where the docker CLI keeps config.json and contexts/.
func configDir() string {
	if dir := os.Getenv(envConfigDir); dir != "" {
		return dir
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".docker")
}

// contextTarget reads a context as `docker --context` does: the meta.json
// under contexts/meta/<sha256 of the name>/, and its TLS files.
func contextTarget(name, from string) (target, error) {
	dir := filepath.Join(configDir(), "contexts")
	s := store.New(dir, contextStoreConfig)
	meta, err := s.GetMetadata(name)
	if cerrdefs.IsNotFound(err) {
		return target{}, &ConnectError{Kind: NoContext, Context: name,
			Err: fmt.Errorf("named by %s, not in %s", from, dir)}
	}
	inspect := "check it with `docker context inspect " + name + "`"
	if err != nil { // the store's error names the context and the file
		return target{}, &ConnectError{Kind: BadConfig, Err: err, advice: inspect}
	}
	epMeta, err := docker.EndpointFromContext(meta)
	if err != nil {
		return target{}, &ConnectError{Kind: BadConfig, Context: name, Err: err, advice: inspect}
	}
	t := target{endpoint: docker.Endpoint{EndpointMeta: epMeta}, context: name}
	if t.endpoint, err = docker.WithTLSData(s, name, epMeta); err != nil {
		ce := t.fail(BadConfig, err)
		ce.advice = inspect
		return target{}, ce
	}
	return t, nil
}

// envTarget is the docker CLI's default context: --host, else DOCKER_HOST,
// else the local socket, with TLS from the environment for tcp addresses.
func envTarget(flagHost string) (target, error) {
	host := flagHost
	if host == "" {
		host = os.Getenv(client.EnvOverrideHost)
	}
	t := target{endpoint: docker.Endpoint{EndpointMeta: docker.EndpointMeta{Host: host}}}
	if !strings.HasPrefix(t.host(), "tcp://") {
		return t, nil // TLS means nothing on a socket or over ssh
	}
	tlsData, skipVerify, err := tlsFromEnv()
	if err != nil {
		ce := t.fail(BadConfig, err)
		ce.advice = "DOCKER_TLS_VERIFY and DOCKER_TLS read ca.pem, cert.pem and key.pem from DOCKER_CERT_PATH, else from " + configDir()
		return target{}, ce
	}
	t.endpoint.TLSData, t.endpoint.SkipTLSVerify = tlsData, skipVerify
	return t, nil
}

// tlsFromEnv reads TLS settings as the docker CLI does: DOCKER_TLS_VERIFY
// (verify the engine) or DOCKER_TLS (don't) turn TLS on, with ca.pem and the
// optional cert.pem/key.pem from DOCKER_CERT_PATH, else the config directory.
// DOCKER_CERT_PATH alone turns TLS on too, as in the Go client swarmtop used
// before.
func tlsFromEnv() (data *dcontext.TLSData, skipVerify bool, err error) {
	verify := os.Getenv(client.EnvTLSVerify) != ""
	dir := os.Getenv(client.EnvOverrideCertPath)
	if !verify && dir == "" && os.Getenv(envTLS) == "" {
		return nil, false, nil
	}
	if dir == "" {
		dir = configDir()
	}
	data, err = dcontext.TLSDataFromFiles(filepath.Join(dir, "ca.pem"),
		ifExists(filepath.Join(dir, "cert.pem")), ifExists(filepath.Join(dir, "key.pem")))
	if err != nil {
		return nil, false, fmt.Errorf("TLS is on but %w", err)
	}
	return data, !verify, nil
}

// ifExists drops a missing client certificate file: the CLI then connects
// without a client certificate instead of failing.
func ifExists(file string) string {
	if _, err := os.Stat(file); err != nil {
		return ""
	}
	return file
}

// newClient builds the API client: ssh addresses dial through the remote
// `docker system dial-stdio`, everything else through the CLI's endpoint
// code, which also applies the TLS files. Either way conns sees every
// connection error.
func (t target) newClient(sshFlags []string, conns *errorRecorder, extra ...client.Opt) (*client.Client, error) {
	var opts []client.Opt
	if isSSH(t.host()) {
		helper, err := connhelper.GetConnectionHelperWithSSHOpts(t.host(), sshFlags)
		if err != nil {
			return nil, t.fail(BadAddress, err)
		}
		opts = sshClientOpts(helper.Host, conns.sshDialer(helper.Dialer))
	} else {
		var err error
		if opts, err = t.endpoint.ClientOpts(); err != nil {
			return nil, t.fail(BadConfig, err) // TLS material the CLI's code rejects
		}
		opts = append(opts, client.WithDialContext(conns.socketDialer(t.host())))
	}
	api, err := client.New(append(opts, extra...)...)
	if err != nil {
		return nil, t.fail(BadAddress, err)
	}
	return api, nil
}
