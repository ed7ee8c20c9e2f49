package main

import (
	"io"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var testOpts = opts{version: "7-test", host: "3f9c2b1a7d4e", addr: ":8000", port: "8000"}

// Timestamps and addresses in each role's own format.
const (
	ip        = `\d+\.\d+\.\d+\.\d+`
	celeryTS  = `\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}: `
	combinedF = `^` + ip + ` - - \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "(GET|POST) (/\S*) HTTP/1\.1" \d{3} \d+ "[^"]*" "[^"]*"$`
)

var lineStyles = []struct {
	role    string
	re      *regexp.Regexp
	mustSee []string // every one of these turns up in a few thousand lines
}{
	{"web", regexp.MustCompile(`^\[pid: \d+\|app: 0\|req: \d+/\d+\] ` + ip + ` \(\) \{\d+ vars in \d+ bytes\} ` +
		`\[\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\] (GET|POST) /\S* => generated \d+ bytes in \d+ msecs ` +
		`\(HTTP/1\.1 \d{3}\) \d+ headers in \d+ bytes \(1 switches on core 0\)$`),
		[]string{"(HTTP/1.1 200)", "(HTTP/1.1 404)", "(HTTP/1.1 500)", "GET /api/orders/"}},
	{"nginx", regexp.MustCompile(combinedF), []string{`" 200 `, `" 404 `, `" 500 `, "GET /static/", "GET /media/"}},
	{"static", regexp.MustCompile(strings.Replace(combinedF, `(/\S*)`, `(/static/\S*)`, 1)), []string{`" 200 `, `" 304 0 `, `" 404 `}},
	{"media", regexp.MustCompile(strings.Replace(combinedF, `(/\S*)`, `(/media/\S*)`, 1)), []string{`" 200 `, `" 404 `}},
	{"memcached", regexp.MustCompile(`^(STAT [a-z_]+ \d+|END)$`),
		[]string{"STAT curr_items ", "STAT get_hits ", "STAT get_misses ", "STAT limit_maxbytes 67108864", "END"}},
	{"celery-worker", regexp.MustCompile(`^` + celeryTS + `(INFO|ERROR)/(MainProcess|ForkPoolWorker-\d)\] ` +
		`Task shop\.tasks\.\w+\[[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\] ` +
		`(received|succeeded in \d+(\.\d+)?s: .+|raised unexpected: .+|retry: Retry in 30s: .+)$`),
		[]string{"] received", "] succeeded in ", "raised unexpected"}},
	{"celery-beat", regexp.MustCompile(`^` + celeryTS + `INFO/MainProcess\] Scheduler: Sending due task [\w.-]+ \([\w.]+\)$`),
		[]string{"Sending due task cleanup-sessions (shop.tasks.cleanup_sessions)"}},
	{"flower", regexp.MustCompile(`^\[[IWE] \d{6} \d\d:\d\d:\d\d \w+:\d+\] ` +
		`(\d{3} GET /\S* \(` + ip + `\) \d+\.\d\dms|Inspect method \w+ failed)$`),
		[]string{"] 200 GET /dashboard (", "Inspect method"}},
	{"rabbitmq", regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d \[(info|warning)\] <0\.(\d+)\.0> ` +
		`(accepting AMQP connection|connection|closing AMQP connection) <0\.(\d+)\.0> \(` + ip + `:\d+ -> ` + ip + `:5672` +
		`(\)|\): user 'shop' authenticated and granted access to vhost 'shop'|, vhost: 'shop', user: 'shop'\)(: client unexpectedly closed TCP connection)?)$`),
		[]string{"accepting AMQP connection <0.", "authenticated and granted access", "closing AMQP connection"}},
}

func TestLineStyles(t *testing.T) {
	if len(lineStyles) != len(roles) {
		t.Fatalf("lineStyles covers %d roles, roles has %d", len(lineStyles), len(roles))
	}
	for _, tc := range lineStyles {
		t.Run(tc.role, func(t *testing.T) {
			r := roles[tc.role](testOpts)
			g := newGen()
			distinct := map[string]bool{}
			var all strings.Builder
			for range 3000 {
				g.now = g.now.Add(37 * time.Millisecond)
				line := string(r.line(nil, g))
				checkLine(t, line)
				if !tc.re.MatchString(line) {
					t.Fatalf("line does not match %s style:\n%s", tc.role, line)
				}
				distinct[line] = true
				all.WriteString(line + "\n")
			}
			if len(distinct) < 100 {
				t.Errorf("only %d distinct lines in 3000", len(distinct))
			}
			for _, s := range tc.mustSee {
				if !strings.Contains(all.String(), s) {
					t.Errorf("no line contains %q", s)
				}
			}
		})
	}
}

// checkLine fails on what would break a log viewer: empty lines and
// control characters (including a stray newline).
func checkLine(t *testing.T, line string) {
	t.Helper()
	if strings.TrimSpace(line) == "" {
		t.Fatal("empty line")
	}
	if i := strings.IndexFunc(line, func(c rune) bool { return c < 0x20 || c == 0x7f }); i >= 0 {
		t.Fatalf("control character %q at %d in %q", line[i], i, line)
	}
}

func TestRoleMessages(t *testing.T) {
	for name, newRole := range roles {
		t.Run(name, func(t *testing.T) {
			r := newRole(testOpts)
			g := newGen()
			say := func(m msg) string { return string(r.say(m)(nil, g)) }
			var startup []string
			for _, m := range r.startup {
				startup = append(startup, say(m))
			}
			if !slices.ContainsFunc(startup, func(s string) bool { return strings.Contains(s, "standin version 7-test") }) {
				t.Errorf("no startup line names the version:\n%s", strings.Join(startup, "\n"))
			}
			drain := say(r.drain("SIGTERM", 1500*time.Millisecond))
			if !strings.Contains(drain, "graceful shutdown, draining for 1.5s") {
				t.Errorf("drain line %q lacks the drain time", drain)
			}
			for _, line := range append(startup, drain, say(r.final), say(r.fatal), say(r.unhealthy)) {
				checkLine(t, line)
			}
		})
	}
}

func TestMemcachedFlags(t *testing.T) {
	tests := []struct {
		args     []string
		wantMB   int64
		wantItem string
		echo     string
	}{
		{nil, 64, "1m", "(no flags)"},
		{[]string{"-m", "64", "-I", "64k"}, 64, "64k", "-m 64 -I 64k"},
		{[]string{"-m", "512", "-I", "8m", "-c", "4096", "--bogus"}, 512, "8m", "-m 512 -I 8m -c 4096 --bogus"},
		{[]string{"-m", "lots", "-I", "huge"}, 64, "1m", "-m lots -I huge"},
		{[]string{"-I"}, 64, "1m", "-I"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, "_"), func(t *testing.T) {
			mb, item := memcachedFlags(tc.args)
			if mb != tc.wantMB || item != tc.wantItem {
				t.Errorf("memcachedFlags(%q) = %d, %q; want %d, %q", tc.args, mb, item, tc.wantMB, tc.wantItem)
			}
			o := testOpts
			o.args = tc.args
			first := newMemcached(o).startup[0].text
			if !strings.HasSuffix(first, ": "+tc.echo) {
				t.Errorf("startup line %q does not echo %q", first, tc.echo)
			}
		})
	}
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/api/orders/", "/api/orders/"},
		{"a\nb", `a\x0ab`},
		{"say \"hi\"\x7f", `say \x22hi\x22\x7f`},
		{"", ""},
	}
	for _, tc := range tests {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    config
		wantErr string
	}{
		{"defaults", nil, config{addr: ":8000", drain: 2 * time.Second, failAfter: -1, failMode: "exit", logRate: -1, migrateTime: 3 * time.Second}, ""},
		{"all set", map[string]string{
			"STANDIN_ADDR": "127.0.0.1:9000", "STANDIN_DRAIN": "500ms", "STANDIN_FAIL_AFTER": "0s",
			"STANDIN_FAIL_MODE": "unhealthy", "STANDIN_LOG_RATE": "50000", "STANDIN_MIGRATE_TIME": "1m",
		}, config{addr: "127.0.0.1:9000", drain: 500 * time.Millisecond, failAfter: 0, failMode: "unhealthy", logRate: 50000, migrateTime: time.Minute}, ""},
		{"zero rate", map[string]string{"STANDIN_LOG_RATE": "0"}, config{addr: ":8000", drain: 2 * time.Second, failAfter: -1, failMode: "exit", logRate: 0, migrateTime: 3 * time.Second}, ""},
		{"bad drain", map[string]string{"STANDIN_DRAIN": "soon"}, config{}, "STANDIN_DRAIN"},
		{"negative fail", map[string]string{"STANDIN_FAIL_AFTER": "-1s"}, config{}, "STANDIN_FAIL_AFTER"},
		{"bad mode", map[string]string{"STANDIN_FAIL_MODE": "explode"}, config{}, "STANDIN_FAIL_MODE"},
		{"bad rate", map[string]string{"STANDIN_LOG_RATE": "fast"}, config{}, "STANDIN_LOG_RATE"},
		{"negative rate", map[string]string{"STANDIN_LOG_RATE": "-1"}, config{}, "STANDIN_LOG_RATE"},
		{"NaN rate", map[string]string{"STANDIN_LOG_RATE": "NaN"}, config{}, "STANDIN_LOG_RATE"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := loadConfig(func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("loadConfig = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestPacer(t *testing.T) {
	start := time.Now()
	for _, rate := range []float64{0, 1, 20, 50000} {
		p := newPacer(rate, start)
		total := 0
		for ms := 50; ms <= 100_000; ms += 50 {
			total += p.due(start.Add(time.Duration(ms) * time.Millisecond))
		}
		// The count is Poisson: allow five standard deviations.
		want := rate * 100
		if math.Abs(float64(total)-want) > 5*math.Sqrt(want)+1 {
			t.Errorf("rate %g: %d lines in 100s, want about %g", rate, total, want)
		}
	}
}

// BenchmarkLogLines measures making lines and writing them through the
// logger, in tick-sized batches as the run loop does.
func BenchmarkLogLines(b *testing.B) {
	for _, name := range slices.Sorted(maps.Keys(roles)) {
		b.Run(name, func(b *testing.B) {
			r := roles[name](testOpts)
			out := newLogger(io.Discard, io.Discard)
			const batch = 2500 // one 50 ms tick at 50000 lines/s
			b.ReportAllocs()
			for i := 0; i < b.N; i += batch {
				out.emit(min(batch, b.N-i), r.line)
				out.flush()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}
