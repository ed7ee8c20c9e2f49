package main

import (
	"strconv"
	"strings"
	"time"
)

// The backend: memcached, the Celery worker and scheduler, Flower and
// RabbitMQ.

// memcached prints what a periodic `stats` dump shows, its counters moving
// like a cache under load, bounded by the -m it was given.
type memcached struct {
	started  time.Time
	limit    int64 // -m, in bytes
	itemSize int64 // typical item, from -I
	next     int   // index in memcachedStats of the next line
	conns, totalConns, gets, sets, hits, misses,
	items, bytes, evictions int64
}

var memcachedStats = []string{
	"pid", "uptime", "curr_connections", "total_connections", "cmd_get", "cmd_set",
	"get_hits", "get_misses", "curr_items", "bytes", "evictions", "limit_maxbytes",
}

func newMemcached(o opts) *role {
	mb, itemMax := memcachedFlags(o.args)
	m := &memcached{started: time.Now(), limit: mb << 20, itemSize: max(parseSize(itemMax)/64, 256), conns: 10, totalConns: 10}
	flags := "(no flags)"
	if len(o.args) > 0 {
		flags = clean(strings.Join(o.args, " "))
	}
	return &role{
		name: "memcached",
		rate: 1,
		line: m.line,
		startup: lines(raw,
			"memcached 1.6.32 starting, standin version "+o.version+": "+flags,
			"memory limit "+strconv.FormatInt(mb, 10)+" MB, max item size "+itemMax+", listening on "+o.addr,
			"<26 server listening (auto-negotiate)",
			"<27 server listening (auto-negotiate)",
		),
		drain: func(sig string, d time.Duration) msg {
			name := "Terminated"
			if sig == "SIGINT" {
				name = "Interrupt"
			}
			return msg{raw, "Signal handled: " + name + ". graceful shutdown, draining for " + d.String()}
		},
		final:     msg{raw, "Gracefully stopping"},
		fatal:     msg{raw, "Failed to allocate memory for hash table: Cannot allocate memory"},
		unhealthy: msg{raw, "Too many open connections"},
	}
}

// memcachedFlags reads -m (megabytes) and -I (max item size) from the
// memcached command line a stack gives; anything else is left alone.
func memcachedFlags(args []string) (mb int64, itemMax string) {
	mb, itemMax = 64, "1m"
	for i := 0; i+1 < len(args); i++ {
		switch args[i] {
		case "-m", "--memory-limit":
			if n, err := strconv.ParseInt(args[i+1], 10, 64); err == nil && n > 0 && n < 1<<20 {
				mb = n
			}
			i++
		case "-I", "--max-item-size":
			if parseSize(args[i+1]) > 0 {
				itemMax = clean(args[i+1])
			}
			i++
		}
	}
	return mb, itemMax
}

// parseSize reads sizes like 64k or 1m, as memcached's -I takes them; 0 if
// it cannot.
func parseSize(s string) int64 {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		mult = 1 << 10
	case strings.HasSuffix(s, "m"), strings.HasSuffix(s, "M"):
		mult = 1 << 20
	case strings.HasSuffix(s, "g"), strings.HasSuffix(s, "G"):
		mult = 1 << 30
	}
	if mult > 1 {
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > 1<<20 {
		return 0
	}
	return n * mult
}

func (m *memcached) line(b []byte, g *gen) []byte {
	if m.next == len(memcachedStats) {
		m.next = 0
		return append(b, "END"...)
	}
	if m.next == 0 {
		m.traffic(g)
	}
	name := memcachedStats[m.next]
	m.next++
	b = cat(b, "STAT ", name, " ")
	return strconv.AppendInt(b, m.stat(name, g), 10)
}

// traffic moves the counters on by a burst of cache use.
func (m *memcached) traffic(g *gen) {
	gets := int64(g.between(50, 500))
	misses := gets * int64(g.between(3, 15)) / 100
	m.gets += gets
	m.hits += gets - misses
	m.misses += misses
	m.sets += misses // a miss is filled by a set
	m.items += misses - int64(g.r.IntN(int(misses)+1))/4
	m.conns = int64(g.between(8, 24))
	m.totalConns = max(m.totalConns+int64(g.r.IntN(3)), m.conns)
	m.bytes = m.items * m.itemSize
	// Full: the LRU evicts, as the real one does.
	for m.bytes > m.limit*95/100 && m.items > 0 {
		evicted := max(m.items/20, 1)
		m.items -= evicted
		m.evictions += evicted
		m.bytes = m.items * m.itemSize
	}
}

func (m *memcached) stat(name string, g *gen) int64 {
	switch name {
	case "pid":
		return 1
	case "uptime":
		return int64(g.now.Sub(m.started).Seconds())
	case "curr_connections":
		return m.conns
	case "total_connections":
		return m.totalConns
	case "cmd_get":
		return m.gets
	case "cmd_set":
		return m.sets
	case "get_hits":
		return m.hits
	case "get_misses":
		return m.misses
	case "curr_items":
		return m.items
	case "bytes":
		return m.bytes
	case "evictions":
		return m.evictions
	}
	return m.limit // limit_maxbytes
}

// celeryLevels spells levels as Python's logging does.
var celeryLevels = [...]string{info: "INFO", warning: "WARNING", errorLevel: "ERROR", critical: "CRITICAL"}

// celeryAt starts a Celery log line: [2026-11-22 05:01:02,123: INFO/MainProcess].
func celeryAt(b []byte, t time.Time, lv level, process string) []byte {
	b = append(b, '[')
	b = t.AppendFormat(b, "2006-01-02 15:04:05,000")
	return cat(b, ": ", celeryLevels[lv], "/", process, "] ")
}

func celeryPrefix(b []byte, t time.Time, lv level) []byte {
	return celeryAt(b, t, lv, "MainProcess")
}

// celeryTask is a task of the shop and how it usually goes.
type celeryTask struct {
	name, result string
	median       time.Duration
}

var shopTasks = []celeryTask{
	{"shop.tasks.send_email", "None", 300 * time.Millisecond},
	{"shop.tasks.send_email", "None", 300 * time.Millisecond},
	{"shop.tasks.send_order_confirmation", "None", 450 * time.Millisecond},
	{"shop.tasks.sync_inventory", "{'updated': 37, 'skipped': 2}", 1500 * time.Millisecond},
	{"shop.tasks.generate_invoice_pdf", "'invoices/2026/INV-20417.pdf'", 800 * time.Millisecond},
	{"shop.tasks.rebuild_search_index", "'ok'", 4 * time.Second},
	{"shop.tasks.cleanup_sessions", "None", 120 * time.Millisecond},
}

var taskErrors = []string{
	"TimeoutError('The read operation timed out')",
	"SMTPServerDisconnected('Connection unexpectedly closed')",
	"OperationalError('server closed the connection unexpectedly')",
}

// celeryWorker remembers the tasks it received, so each one later
// succeeds or fails under the same id.
type celeryWorker struct {
	pending []pendingTask
	pool    []string // prefork process names
}

type pendingTask struct {
	task *celeryTask
	id   string
}

func (w *celeryWorker) line(b []byte, g *gen) []byte {
	if len(w.pending) == 0 || len(w.pending) < 8 && g.chance(0.5) {
		t := &shopTasks[g.r.IntN(len(shopTasks))]
		id := string(appendUUID(nil, g))
		w.pending = append(w.pending, pendingTask{t, id})
		b = celeryAt(b, g.now, info, "MainProcess")
		return cat(b, "Task ", t.name, "[", id, "] received")
	}
	i := g.r.IntN(len(w.pending))
	p := w.pending[i]
	w.pending = append(w.pending[:i], w.pending[i+1:]...)
	process := g.pick(w.pool)
	switch x := g.r.Float64(); {
	case x < 0.02:
		b = celeryAt(b, g.now, errorLevel, process)
		return cat(b, "Task ", p.task.name, "[", p.id, "] raised unexpected: ", g.pick(taskErrors))
	case x < 0.05:
		b = celeryAt(b, g.now, info, process)
		return cat(b, "Task ", p.task.name, "[", p.id, "] retry: Retry in 30s: ", g.pick(taskErrors))
	}
	b = celeryAt(b, g.now, info, process)
	b = cat(b, "Task ", p.task.name, "[", p.id, "] succeeded in ")
	// Celery prints the float's full repr, digits and all.
	b = strconv.AppendFloat(b, g.took(p.task.median).Seconds(), 'f', -1, 64)
	return cat(b, "s: ", p.task.result)
}

func newCeleryWorker(o opts) *role {
	w := &celeryWorker{pool: []string{"ForkPoolWorker-1", "ForkPoolWorker-2", "ForkPoolWorker-3", "ForkPoolWorker-4"}}
	node := "celery@" + o.host
	return &role{
		name:   "celery-worker",
		rate:   1,
		prefix: celeryPrefix,
		line:   w.line,
		startup: append(lines(raw,
			" -------------- "+node+" v5.4.0 (opening)",
			"--- ***** -----",
			"-- ******* ---- Linux-6.1.0-27-amd64-x86_64-with-glibc2.36 "+time.Now().Format(time.DateTime),
			"- *** --- * ---",
			"- ** ---------- [config]",
			"- ** ---------- .> app:         shop:0x7f3c2a1b4d10",
			"- ** ---------- .> transport:   amqp://shop:**@rabbitmq:5672/shop",
			"- ** ---------- .> results:     disabled://",
			"- *** --- * --- .> concurrency: 4 (prefork)",
			"-- ******* ---- .> task events: OFF (enable -E to monitor tasks in this worker)",
			"--- ***** -----",
			" -------------- [queues]",
			"                .> celery           exchange=celery(direct) key=celery",
			"[tasks]",
			"  . shop.tasks.cleanup_sessions",
			"  . shop.tasks.generate_invoice_pdf",
			"  . shop.tasks.rebuild_search_index",
			"  . shop.tasks.send_email",
			"  . shop.tasks.send_order_confirmation",
			"  . shop.tasks.sync_inventory",
		), lines(info,
			"standin version "+o.version+" (celery worker stand-in, health on "+o.addr+")",
			"Connected to amqp://shop:**@rabbitmq:5672/shop",
			"mingle: searching for neighbors",
			"mingle: all alone",
			node+" ready.",
		)...),
		drain: func(sig string, d time.Duration) msg {
			return msg{warning, "worker: Warm shutdown (MainProcess) on " + sig + ": graceful shutdown, draining for " + d.String()}
		},
		final:     msg{info, "worker: all tasks finished, shutdown complete"},
		fatal:     msg{critical, `Unrecoverable error: PreconditionFailed(406, 'PRECONDITION_FAILED - delivery acknowledgement on channel 1 timed out. Timeout value used: 1800000 ms. This timeout value can be configured, see consumers doc guide to learn more', (0, 0), '')`},
		unhealthy: msg{errorLevel, "consumer: Cannot connect to amqp://shop:**@rabbitmq:5672/shop: [Errno 111] Connection refused."},
	}
}

// beatSchedule is the shop's periodic tasks; frequent ones appear often.
var beatSchedule = []struct{ entry, task string }{
	{"sync-inventory", "shop.tasks.sync_inventory"},
	{"sync-inventory", "shop.tasks.sync_inventory"},
	{"sync-inventory", "shop.tasks.sync_inventory"},
	{"send-cart-reminders", "shop.tasks.send_cart_reminders"},
	{"send-cart-reminders", "shop.tasks.send_cart_reminders"},
	{"cleanup-sessions", "shop.tasks.cleanup_sessions"},
	{"rebuild-search-index", "shop.tasks.rebuild_search_index"},
	{"celery.backend_cleanup", "celery.backend_cleanup"},
}

func newCeleryBeat(o opts) *role {
	return &role{
		name:   "celery-beat",
		rate:   0.5,
		prefix: celeryPrefix,
		line: func(b []byte, g *gen) []byte {
			s := beatSchedule[g.r.IntN(len(beatSchedule))]
			b = celeryPrefix(b, g.now, info)
			return cat(b, "Scheduler: Sending due task ", s.entry, " (", s.task, ")")
		},
		startup: append(lines(raw,
			"celery beat v5.4.0 (opening) is starting.",
			"__    -    ... __   -        _",
			"LocalTime -> "+time.Now().Format(time.DateTime),
			"Configuration ->",
			"    . broker -> amqp://shop:**@rabbitmq:5672/shop",
			"    . loader -> celery.loaders.app.AppLoader",
			"    . scheduler -> celery.beat.PersistentScheduler",
			"    . db -> celerybeat-schedule",
			"    . logfile -> [stderr]@%INFO",
			"    . maxinterval -> 5.00 minutes (300s)",
		), lines(info,
			"standin version "+o.version+" (celery beat stand-in, health on "+o.addr+")",
			"beat: Starting...",
		)...),
		drain: func(sig string, d time.Duration) msg {
			return msg{info, "beat: Shutting down on " + sig + ": graceful shutdown, draining for " + d.String()}
		},
		final:     msg{info, "beat: Shutdown complete."},
		fatal:     msg{critical, `beat raised exception <class '_dbm.error'>: error("db type could not be determined")`},
		unhealthy: msg{errorLevel, "beat: Connection error: [Errno 111] Connection refused. Trying again in 4.0 seconds..."},
	}
}

// tornadoAt starts a line in Tornado's format, which Flower uses:
// [I 261122 05:01:02 web:2348].
func tornadoAt(b []byte, t time.Time, lv level, where string) []byte {
	b = append(b, '[', "?IWEC"[lv], ' ')
	b = t.AppendFormat(b, "060102 15:04:05")
	return cat(b, " ", where, "] ")
}

var flowerRoutes = []string{
	"/dashboard", "/dashboard?json=1", "/tasks", "/tasks/datatable?draw=#&start=0&length=15",
	"/api/tasks?limit=100", "/workers", "/api/workers?refresh=1", "/broker", "/static/css/flower.css",
}

var flowerInspections = []string{"stats", "active_queues", "registered", "scheduled", "active", "reserved", "revoked", "conf"}

func flowerLine(b []byte, g *gen) []byte {
	if g.chance(0.04) {
		b = tornadoAt(b, g.now, warning, "inspector:44")
		return cat(b, "Inspect method ", g.pick(flowerInspections), " failed")
	}
	status, lv := 200, info
	switch x := g.r.Float64(); {
	case x < 0.04:
		status, lv = 404, warning
	case x < 0.05:
		status, lv = 500, errorLevel
	}
	b = tornadoAt(b, g.now, lv, "web:2348")
	b = appendInt(b, status)
	b = cat(b, " GET ", g.fill(g.pick(flowerRoutes)), " (", g.pick(nginxTasks), ") ")
	b = strconv.AppendFloat(b, float64(g.took(8*time.Millisecond))/1e6, 'f', 2, 64)
	return append(b, "ms"...)
}

func newFlower(o opts) *role {
	return &role{
		name: "flower",
		rate: 0.5,
		prefix: func(b []byte, t time.Time, lv level) []byte {
			return tornadoAt(b, t, lv, "command:168")
		},
		line: flowerLine,
		startup: append(lines(info,
			"Visit me at http://0.0.0.0:"+o.port,
			"standin version "+o.version+" (flower 2.0.1 stand-in)",
			"Broker: amqp://shop:**@rabbitmq:5672/shop",
			"Registered tasks: ",
		), append(lines(raw,
			"['celery.accumulate', 'celery.backend_cleanup', 'celery.chain', 'celery.chord', 'celery.chord_unlock', "+
				"'celery.chunks', 'celery.group', 'celery.map', 'celery.starmap', 'shop.tasks.cleanup_sessions', "+
				"'shop.tasks.generate_invoice_pdf', 'shop.tasks.rebuild_search_index', 'shop.tasks.send_email', "+
				"'shop.tasks.send_order_confirmation', 'shop.tasks.sync_inventory']",
		), lines(info,
			"Connected to amqp://shop:**@rabbitmq:5672/shop",
		)...)...),
		drain: func(sig string, d time.Duration) msg {
			return msg{info, "Received " + sig + ": graceful shutdown, draining for " + d.String()}
		},
		final:     msg{info, "Shutting down Flower"},
		fatal:     msg{critical, "Unrecoverable error: OSError(24, 'Too many open files')"},
		unhealthy: msg{errorLevel, "Failed to capture events: '[Errno 111] Connection refused', trying again in 16 seconds."},
	}
}

// rabbitLevels spells levels as RabbitMQ 3.13 does.
var rabbitLevels = [...]string{info: "info", warning: "warning", errorLevel: "error", critical: "critical"}

// rabbitAt starts a RabbitMQ line: timestamp, level, Erlang process.
func rabbitAt(b []byte, t time.Time, lv level, pid int) []byte {
	b = t.AppendFormat(b, "2006-01-02 15:04:05.000000-07:00")
	b = cat(b, " [", rabbitLevels[lv], "] ")
	return append(appendPid(b, pid), ' ')
}

// appendPid writes an Erlang process id: <0.1234.0>.
func appendPid(b []byte, pid int) []byte {
	b = append(b, "<0."...)
	b = appendInt(b, pid)
	return append(b, ".0>"...)
}

// rabbit tracks AMQP connections, so each is accepted, authenticated and
// closed in order, under one process id.
type rabbit struct {
	conns   []amqpConn
	nextPid int
}

type amqpConn struct {
	pid    int
	peer   string // client address:port
	authed bool
}

// backendTasks are the web and celery tasks that talk to the broker.
var backendTasks = []string{"10.0.2.5", "10.0.2.6", "10.0.2.11", "10.0.2.12", "10.0.2.14"}

const rabbitSelf = "10.0.2.9:5672"

func (r *rabbit) line(b []byte, g *gen) []byte {
	if len(r.conns) < 3 || len(r.conns) < 40 && g.chance(0.35) {
		c := amqpConn{pid: r.nextPid, peer: g.pick(backendTasks) + ":" + strconv.Itoa(g.between(32768, 60999))}
		r.nextPid += g.between(1, 40)
		r.conns = append(r.conns, c)
		b = rabbitAt(b, g.now, info, c.pid)
		b = appendPid(append(b, "accepting AMQP connection "...), c.pid)
		return cat(b, " (", c.peer, " -> ", rabbitSelf, ")")
	}
	i := g.r.IntN(len(r.conns))
	c := &r.conns[i]
	if !c.authed {
		c.authed = true
		b = rabbitAt(b, g.now, info, c.pid)
		b = appendPid(append(b, "connection "...), c.pid)
		return cat(b, " (", c.peer, " -> ", rabbitSelf, "): user 'shop' authenticated and granted access to vhost 'shop'")
	}
	lv, why := info, ""
	if g.chance(0.1) {
		lv, why = warning, ": client unexpectedly closed TCP connection"
	}
	b = rabbitAt(b, g.now, lv, c.pid)
	b = appendPid(append(b, "closing AMQP connection "...), c.pid)
	b = cat(b, " (", c.peer, " -> ", rabbitSelf, ", vhost: 'shop', user: 'shop')", why)
	r.conns = append(r.conns[:i], r.conns[i+1:]...)
	return b
}

func newRabbitMQ(o opts) *role {
	r := &rabbit{nextPid: 812}
	node := "rabbit@" + o.host
	return &role{
		name: "rabbitmq",
		rate: 1,
		prefix: func(b []byte, t time.Time, lv level) []byte {
			return rabbitAt(b, t, lv, 230)
		},
		line: r.line,
		startup: append(lines(raw,
			"  ##  ##      RabbitMQ 3.13.7",
			"  ##  ##",
			"  ##########  Copyright (c) 2007-2024 Broadcom Inc and/or its subsidiaries",
			"  ######  ##",
			"  ##########  Licensed under the MPL 2.0. Website: https://rabbitmq.com",
			"  Erlang:      26.2.5.6 [jit]",
			"  TLS Library: OpenSSL - OpenSSL 3.1.7 3 Sep 2024",
			"  Doc guides:  https://www.rabbitmq.com/docs",
			"  Logs: <stdout>",
			"  Config file(s): /etc/rabbitmq/conf.d/10-defaults.conf",
			"  Starting broker...",
		), lines(info,
			"Starting RabbitMQ 3.13.7 on Erlang 26.2.5.6 [jit]",
			"standin version "+o.version+" (rabbitmq stand-in, health on "+o.addr+")",
			" node           : "+node,
			" home dir       : /var/lib/rabbitmq",
			" data dir       : /var/lib/rabbitmq/mnesia/"+node,
			"started TCP listener on [::]:5672",
			"Management plugin: HTTP (non-TLS) listener started on port 15672",
			"Server startup complete; 5 plugins started.",
		)...),
		drain: func(sig string, d time.Duration) msg {
			return msg{info, "RabbitMQ is asked to stop (" + sig + "): graceful shutdown, draining for " + d.String()}
		},
		final:     msg{info, "Successfully stopped RabbitMQ and its dependencies"},
		fatal:     msg{raw, `eheap_alloc: Cannot allocate 1573120 bytes of memory (of type "heap").`},
		unhealthy: msg{warning, "memory resource limit alarm set on node " + node + ". Publishers will be blocked until this alarm clears"},
	}
}
