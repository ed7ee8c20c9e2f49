package main

import "time"

// roles builds each long-running role; migrate runs to completion instead
// and lives in migrate.go.
var roles = map[string]func(opts) *role{
	"web":           newWeb,
	"nginx":         newNginx,
	"static":        newStatic,
	"media":         newMedia,
	"memcached":     newMemcached,
	"celery-worker": newCeleryWorker,
	"celery-beat":   newCeleryBeat,
	"flower":        newFlower,
	"rabbitmq":      newRabbitMQ,
}

// opts is what a role may put in its lines.
type opts struct {
	version string
	host    string   // container hostname: celery and rabbitmq name their nodes after it
	addr    string   // STANDIN_ADDR as given
	port    string   // its port, for lines that announce the listener
	args    []string // words after the role; memcached reads its flags there
}

// level is a severity; each role spells it its own way.
type level int

const (
	raw        level = iota // printed as is, without the role's prefix: banners, tracebacks
	info                    // startup, shutdown
	warning                 // nothing is lost yet
	errorLevel              // the service is unhealthy
	critical                // the process is about to die
)

// msg is a fixed line; the role's prefix adds timestamp and level.
type msg struct {
	lv   level
	text string
}

// role is one service of the stack as its logs show it.
type role struct {
	name string
	rate float64 // lines per second unless STANDIN_LOG_RATE says otherwise

	// prefix starts a line in the role's format; nil for programs that log
	// bare lines (uwsgi, memcached).
	prefix func(b []byte, t time.Time, lv level) []byte
	// line is one line of normal operation, made up.
	line lineFunc
	// access logs a real request to the HTTP port; nil when the program
	// has no access log.
	access func(b []byte, g *gen, q request) []byte

	startup                 []msg
	drain                   func(sig string, d time.Duration) msg
	final, fatal, unhealthy msg
}

// say turns a msg into a lineFunc in the role's format.
func (r *role) say(m msg) lineFunc {
	return func(b []byte, g *gen) []byte {
		if m.lv != raw && r.prefix != nil {
			b = r.prefix(b, g.now, m.lv)
		}
		return append(b, m.text...)
	}
}

// lines makes msgs of one level.
func lines(lv level, texts ...string) []msg {
	ms := make([]msg, len(texts))
	for i, t := range texts {
		ms[i] = msg{lv, t}
	}
	return ms
}
