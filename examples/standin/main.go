// Command standin plays every service of the Django example stack
// (examples/django) so that a real swarm can run the stack without a
// registry: one static binary, imported as swarmtop/standin:1 and :2, with
// the service chosen by the first argument.
//
//	standin ROLE [flags...]  run a role: web, nginx, static, media, memcached,
//	                         celery-worker, celery-beat, flower, rabbitmq, migrate;
//	                         flags after the role are ignored, except memcached's
//	                         -m and -I; an unknown role exits 2
//	standin health           exit 0 if 127.0.0.1:<port of STANDIN_ADDR>/health
//	                         answers 200 within 2 s, else say why and exit 1
//	standin version          print the version stamped with -X main.version
//
// Environment, all optional (a malformed value exits 2):
//
//	STANDIN_ADDR          HTTP listen address (:8000); serves /health and /
//	STANDIN_DRAIN         on SIGTERM or SIGINT, keep going this long with
//	                      /health at 503, then exit 0 (2s)
//	STANDIN_FAIL_AFTER    fail after this long (never)
//	STANDIN_FAIL_MODE     exit: fatal line on stderr, exit 1 (default);
//	                      unhealthy: /health turns 503, the role keeps running
//	STANDIN_LOG_RATE      log lines per second (the role's, about 1); 0: startup only
//	STANDIN_MIGRATE_TIME  how long migrate takes (3s)
package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// version tells the two images apart in logs and on the / page; the image
// build stamps it with -ldflags "-X main.version=2".
var version = "dev"

const defaultAddr = ":8000"

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run is the whole program minus os.Exit, so tests can call it.
func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "usage: standin ROLE|health|version (roles: %s)\n", strings.Join(roleNames(), ", "))
		return 2
	}
	name := args[0]
	switch name {
	case "version":
		fmt.Fprintln(stdout, version)
		return 0
	case "health":
		// Only the address matters here: a typo in another variable must not
		// make the healthcheck itself fail.
		return checkHealth(envOr(getenv, "STANDIN_ADDR", defaultAddr), stdout, stderr)
	}
	newRole, known := roles[name]
	if !known && name != "migrate" {
		fmt.Fprintf(stderr, "standin: unknown role %q (roles: %s)\n", name, strings.Join(roleNames(), ", "))
		return 2
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "standin: %v\n", err)
		return 2
	}
	if name == "migrate" {
		return migrate(cfg, stdout, stderr)
	}
	host, err := os.Hostname()
	if err != nil {
		host = "standin"
	}
	_, port, _ := net.SplitHostPort(cfg.addr)
	r := newRole(opts{version: version, host: host, addr: cfg.addr, port: port, args: args[1:]})
	return runService(r, cfg, stdout, stderr)
}

func roleNames() []string {
	names := append(slices.Collect(maps.Keys(roles)), "migrate")
	slices.Sort(names)
	return names
}

// runService installs the signal handler before anything is printed, so
// whoever waits for the startup lines may signal the process right away.
func runService(r *role, cfg config, stdout, stderr io.Writer) int {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, os.Interrupt)
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		fmt.Fprintf(stderr, "standin %s: %v\n", r.name, err)
		return 1
	}
	return serve(r, cfg, ln, sigs, stdout, stderr)
}

// config is the environment, parsed once at startup.
type config struct {
	addr        string        // STANDIN_ADDR: HTTP listen address
	drain       time.Duration // STANDIN_DRAIN: how long to keep going after SIGTERM
	failAfter   time.Duration // STANDIN_FAIL_AFTER: negative means never
	failMode    string        // STANDIN_FAIL_MODE: "exit" or "unhealthy"
	logRate     float64       // STANDIN_LOG_RATE: lines per second, negative means the role's default
	migrateTime time.Duration // STANDIN_MIGRATE_TIME: how long migrate runs
}

// maxLogRate keeps a typo (an extra zero or three) from pinning a CPU.
const maxLogRate = 1e6

func loadConfig(getenv func(string) string) (config, error) {
	c := config{
		addr:        envOr(getenv, "STANDIN_ADDR", defaultAddr),
		drain:       2 * time.Second,
		failAfter:   -1,
		failMode:    envOr(getenv, "STANDIN_FAIL_MODE", "exit"),
		logRate:     -1,
		migrateTime: 3 * time.Second,
	}
	if c.failMode != "exit" && c.failMode != "unhealthy" {
		return c, fmt.Errorf("STANDIN_FAIL_MODE=%q: want exit or unhealthy", c.failMode)
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{
		{"STANDIN_DRAIN", &c.drain},
		{"STANDIN_FAIL_AFTER", &c.failAfter},
		{"STANDIN_MIGRATE_TIME", &c.migrateTime},
	} {
		if err := envDuration(getenv, d.name, d.dst); err != nil {
			return c, err
		}
	}
	if v := getenv("STANDIN_LOG_RATE"); v != "" {
		rate, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(rate) || rate < 0 || rate > maxLogRate {
			return c, fmt.Errorf("STANDIN_LOG_RATE=%q: want lines per second between 0 and %g", v, float64(maxLogRate))
		}
		c.logRate = rate
	}
	return c, nil
}

// envDuration leaves *dst alone when the variable is unset or empty.
func envDuration(getenv func(string) string, name string, dst *time.Duration) error {
	v := getenv(name)
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err == nil && d < 0 {
		err = errors.New("negative")
	}
	if err != nil {
		return fmt.Errorf("%s=%q: want a duration such as 2s or 500ms", name, v)
	}
	*dst = d
	return nil
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}
