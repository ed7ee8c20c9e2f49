package main

import (
	"runtime"
	"slices"
	"strconv"
	"time"
)

// The HTTP tiers: web (Django under uWSGI), and nginx in front of it with
// the static and media file servers behind.

// request is one HTTP request as an access log sees it.
type request struct {
	remote, method, uri, proto string
	status, size               int
	took                       time.Duration
	referer, agent             string
}

// route is a kind of request a tier gets; a '#' in path becomes an id.
type route struct {
	method, path string
	ok           int // the status when all goes well
}

var webRoutes = []route{
	{"GET", "/", 200},
	{"GET", "/products/", 200},
	{"GET", "/products/#/", 200},
	{"GET", "/products/#/", 200},
	{"GET", "/api/products/?page=2", 200},
	{"GET", "/api/orders/", 200},
	{"GET", "/api/orders/#/", 200},
	{"POST", "/api/cart/items/", 201},
	{"GET", "/cart/", 200},
	{"POST", "/checkout/", 302},
	{"GET", "/accounts/login/", 200},
	{"POST", "/accounts/login/", 302},
	{"GET", "/search/?q=boots", 200},
	{"GET", "/admin/shop/order/", 200},
}

// Hashed names, as Django's ManifestStaticFilesStorage writes them.
var staticRoutes = []route{
	{"GET", "/static/css/app.3f2a9c1b7d4e.css", 200},
	{"GET", "/static/js/app.8c41d2e09b7a.js", 200},
	{"GET", "/static/js/vendor.51e0a7f3c2d9.js", 200},
	{"GET", "/static/img/logo.9d3e2b1c4a5f.svg", 200},
	{"GET", "/static/img/placeholder.6a1f0c3b8e2d.png", 200},
	{"GET", "/static/fonts/inter-var.0b7c9e1d2f3a.woff2", 200},
	{"GET", "/static/admin/css/base.6b517d0d5813.css", 200},
	{"GET", "/static/admin/js/core.a9d2f1e7c3b0.js", 200},
}

var mediaRoutes = []route{
	{"GET", "/media/products/2026/11/sku-#.jpg", 200},
	{"GET", "/media/products/thumbs/sku-#-320x320.webp", 200},
	{"GET", "/media/products/thumbs/sku-#-320x320.webp", 200},
	{"GET", "/media/avatars/user-#.png", 200},
	{"GET", "/media/invoices/2026/INV-#.pdf", 200},
}

var agents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
	"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
	"python-requests/2.32.3",
}

var referers = []string{"-", "-", "-", "https://shop.example.com/", "https://shop.example.com/products/", "https://www.google.com/"}

// Clients as each tier sees them: behind the routing mesh nginx sees the
// ingress network's addresses, not the visitors'; the tiers behind nginx
// see nginx's two tasks.
var (
	ingressPeers = []string{"10.0.0.2", "10.0.0.3", "10.0.0.4"}
	nginxTasks   = []string{"10.0.1.7", "10.0.1.8"}
)

// traffic is what one tier serves.
type traffic struct {
	routes      []route
	clients     []string
	size        int           // typical body size in bytes
	median      time.Duration // typical time to answer
	notModified float64       // share of 304s: browsers revalidating cached files
}

// request makes up one request: mostly the route's success, some 404s and
// the odd 500.
func (t *traffic) request(g *gen) request {
	rt := t.routes[g.r.IntN(len(t.routes))]
	q := request{
		remote: g.pick(t.clients), method: rt.method, uri: g.fill(rt.path), proto: "HTTP/1.1",
		status: rt.ok, took: g.took(t.median), referer: g.pick(referers), agent: g.pick(agents),
	}
	switch x := g.r.Float64(); {
	case x < 0.04:
		q.status = 404
	case x < 0.05:
		q.status = 500
	case x < 0.05+t.notModified:
		q.status = 304
	}
	switch q.status {
	case 200, 201:
		q.size = t.size/4 + g.r.IntN(t.size*3/2)
	case 404:
		q.size = 179
	case 500:
		q.size = 145
	default: // redirects and 304s carry no body
		q.size = 0
	}
	return q
}

// cat appends strings; it keeps the line formats readable.
func cat(b []byte, s ...string) []byte {
	for _, x := range s {
		b = append(b, x...)
	}
	return b
}

// uwsgi counts requests per worker and in total, as its request lines show.
type uwsgi struct {
	pids   []int
	served []int
	total  int
}

// access writes uWSGI's request log line.
func (u *uwsgi) access(b []byte, g *gen, q request) []byte {
	w := g.r.IntN(len(u.pids))
	u.served[w]++
	u.total++
	b = append(b, "[pid: "...)
	b = appendInt(b, u.pids[w])
	b = append(b, "|app: 0|req: "...)
	b = appendInt(b, u.served[w])
	b = append(b, '/')
	b = appendInt(b, u.total)
	b = cat(b, "] ", q.remote, " () {")
	b = appendInt(b, g.between(30, 40))
	b = append(b, " vars in "...)
	b = appendInt(b, g.between(420, 900))
	b = append(b, " bytes} ["...)
	b = g.now.AppendFormat(b, time.ANSIC)
	b = cat(b, "] ", q.method, " ", q.uri, " => generated ")
	b = appendInt(b, q.size)
	b = append(b, " bytes in "...)
	b = strconv.AppendInt(b, q.took.Milliseconds(), 10)
	b = cat(b, " msecs (", q.proto, " ")
	b = appendInt(b, q.status)
	b = append(b, ") "...)
	headers := g.between(3, 7)
	b = appendInt(b, headers)
	b = append(b, " headers in "...)
	b = appendInt(b, 30*headers+g.between(0, 60))
	return append(b, " bytes (1 switches on core 0)"...)
}

func newWeb(o opts) *role {
	u := &uwsgi{pids: []int{7, 8}, served: make([]int, 2)}
	t := &traffic{routes: webRoutes, clients: nginxTasks, size: 6000, median: 25 * time.Millisecond}
	return &role{
		name:   "web",
		rate:   1,
		line:   func(b []byte, g *gen) []byte { return u.access(b, g, t.request(g)) },
		access: u.access,
		startup: lines(raw,
			"[uWSGI] getting INI configuration from /app/uwsgi.ini",
			"*** Starting uWSGI 2.0.28 (64bit) on ["+time.Now().Format(time.ANSIC)+"] ***",
			"standin version "+o.version+" (uWSGI stand-in for the shop's Django app)",
			"compiled with version: 12.2.0 on 20 November 2026 09:14:11",
			"os: Linux-6.1.0-27-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.115-1 (2024-11-01)",
			"nodename: "+o.host,
			"machine: x86_64",
			"detected number of CPU cores: "+strconv.Itoa(runtime.NumCPU()),
			"current working directory: /app",
			"detected binary path: /usr/local/bin/uwsgi",
			"your memory page size is 4096 bytes",
			"detected max file descriptor number: 1048576",
			"lock engine: pthread robust mutexes",
			"uWSGI http bound on "+o.addr+" fd 4",
			"uwsgi socket 0 bound to TCP address 127.0.0.1:37255 (port auto-assigned) fd 3",
			"Python version: 3.12.7 (main, Nov 12 2024, 02:16:12) [GCC 12.2.0]",
			"Python main interpreter initialized at 0x7f5e0c9a2b30",
			"python threads support enabled",
			"your server socket listen backlog is limited to 100 connections",
			"your mercy for graceful operations on workers is 60 seconds",
			"*** Operational MODE: preforking ***",
			"WSGI app 0 (mountpoint='') ready in 2 seconds on interpreter 0x7f5e0c9a2b30 pid: 1 (default app)",
			"spawned uWSGI master process (pid: 1)",
			"spawned uWSGI worker 1 (pid: 7, cores: 1)",
			"spawned uWSGI worker 2 (pid: 8, cores: 1)",
			"spawned uWSGI http 1 (pid: 9)",
		),
		drain: func(sig string, d time.Duration) msg {
			return msg{raw, sig + " received, graceful shutdown, draining for " + d.String() + " ...gracefully killing workers..."}
		},
		final:     msg{raw, "goodbye to uWSGI."},
		fatal:     msg{raw, "!!! uWSGI process 7 got Segmentation Fault !!!"},
		unhealthy: msg{raw, `django.db.utils.OperationalError: connection to server at "db.internal" (10.0.9.3), port 5432 failed: FATAL:  remaining connection slots are reserved for roles with the SUPERUSER attribute`},
	}
}

// combined is nginx's default access log format.
func combined(b []byte, g *gen, q request) []byte {
	b = cat(b, q.remote, " - - [")
	b = g.now.AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
	b = cat(b, `] "`, q.method, " ", q.uri, " ", q.proto, `" `)
	b = appendInt(b, q.status)
	b = append(b, ' ')
	b = appendInt(b, q.size)
	return cat(b, ` "`, q.referer, `" "`, q.agent, `"`)
}

// nginxPrefix starts an error log line: the master (1#1) announces, a
// worker (29#29) reports request errors.
func nginxPrefix(b []byte, t time.Time, lv level) []byte {
	b = t.AppendFormat(b, "2006/01/02 15:04:05")
	switch lv {
	case warning:
		return append(b, " [warn] 1#1: "...)
	case errorLevel:
		return append(b, " [error] 29#29: "...)
	case critical:
		return append(b, " [emerg] 1#1: "...)
	}
	return append(b, " [notice] 1#1: "...)
}

// nginxRole is nginx as the official image logs it: the entrypoint's lines,
// the master's notices, then the access log.
func nginxRole(name string, o opts, t *traffic, rate float64, unhealthy string) *role {
	return &role{
		name:   name,
		rate:   rate,
		prefix: nginxPrefix,
		line:   func(b []byte, g *gen) []byte { return combined(b, g, t.request(g)) },
		access: combined,
		startup: append(lines(raw,
			"/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
			"/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
			"/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
			"/docker-entrypoint.sh: Configuration complete; ready for start up",
		), lines(info,
			`using the "epoll" event method`,
			"nginx/1.27.3",
			"standin version "+o.version+" (nginx stand-in for "+name+", listening on "+o.addr+")",
			"built by gcc 13.2.1 20240309 (Alpine 13.2.1_git20240309)",
			"OS: Linux 6.1.0-27-amd64",
			"getrlimit(RLIMIT_NOFILE): 1048576:1048576",
			"start worker processes",
			"start worker process 29",
			"start worker process 30",
		)...),
		drain: func(sig string, d time.Duration) msg {
			num := "15"
			if sig == "SIGINT" {
				num = "2"
			}
			return msg{info, "signal " + num + " (" + sig + ") received, graceful shutdown, draining for " + d.String()}
		},
		final:     msg{info, "exit"},
		fatal:     msg{critical, "malloc(4096) failed (12: Cannot allocate memory)"},
		unhealthy: msg{errorLevel, unhealthy},
	}
}

func newNginx(o opts) *role {
	t := &traffic{
		routes:  slices.Concat(webRoutes, webRoutes, staticRoutes, mediaRoutes),
		clients: ingressPeers, size: 8000, median: 30 * time.Millisecond, notModified: 0.05,
	}
	return nginxRole("nginx", o, t, 2,
		`*4821 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.2, server: , request: "GET /api/orders/ HTTP/1.1", upstream: "http://10.0.1.12:8000/api/orders/", host: "shop.example.com"`)
}

func newStatic(o opts) *role {
	t := &traffic{routes: staticRoutes, clients: nginxTasks, size: 40000, median: time.Millisecond, notModified: 0.25}
	return nginxRole("static", o, t, 1,
		`*1377 open() "/usr/share/nginx/html/static/css/app.3f2a9c1b7d4e.css" failed (24: Too many open files), client: 10.0.1.7, server: , request: "GET /static/css/app.3f2a9c1b7d4e.css HTTP/1.1", host: "static:8000"`)
}

func newMedia(o opts) *role {
	t := &traffic{routes: mediaRoutes, clients: nginxTasks, size: 150000, median: 4 * time.Millisecond, notModified: 0.15}
	return nginxRole("media", o, t, 0.5,
		`*912 pread() "/srv/media/products/2026/11/sku-4242.jpg" failed (5: Input/output error), client: 10.0.1.8, server: , request: "GET /media/products/2026/11/sku-4242.jpg HTTP/1.1", host: "media:8000"`)
}
