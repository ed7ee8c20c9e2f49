package main

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// lineFunc appends one log line, without its newline, to b.
type lineFunc func(b []byte, g *gen) []byte

// gen is what a lineFunc draws on: randomness and the time to stamp.
// Only the logger calls lineFuncs, under its lock, so neither gen nor the
// per-role state the lineFuncs keep needs locking of its own.
type gen struct {
	r   *rand.Rand
	now time.Time
}

func newGen() *gen {
	seed := uint64(time.Now().UnixNano())
	return &gen{r: rand.New(rand.NewPCG(seed, uint64(os.Getpid()))), now: time.Now()}
}

func (g *gen) pick(s []string) string { return s[g.r.IntN(len(s))] }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// between returns a number in [lo, hi].
func (g *gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

// took draws a latency around median with a long tail: most requests are
// quick, a few are an order of magnitude slower, as on a real site.
func (g *gen) took(median time.Duration) time.Duration {
	d := float64(median) * math.Exp(0.6*g.r.NormFloat64())
	if g.chance(0.02) {
		d *= 8 + 12*g.r.Float64()
	}
	return time.Duration(d)
}

// fill replaces the '#' in s, if any, with a number, so path tables can say
// "/products/#/" and get varied ids.
func (g *gen) fill(s string) string {
	before, after, found := strings.Cut(s, "#")
	if !found {
		return s
	}
	return before + strconv.Itoa(g.between(1, 9999)) + after
}

func appendInt(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }

// appendUUID appends a random (version 4) UUID, as Celery gives its tasks.
func appendUUID(b []byte, g *gen) []byte {
	var u [16]byte
	binary.LittleEndian.PutUint64(u[:8], g.r.Uint64())
	binary.LittleEndian.PutUint64(u[8:], g.r.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	b = hex.AppendEncode(b, u[0:4])
	for _, part := range [][]byte{u[4:6], u[6:8], u[8:10], u[10:]} {
		b = append(b, '-')
		b = hex.AppendEncode(b, part)
	}
	return b
}

// clean escapes what a client could smuggle into a log line (control
// characters, quotes, backslashes) the way nginx does: as \xHH.
func clean(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(s)+8), s[:i]...)
		}
		b = append(b, `\x`...)
		b = hex.AppendEncode(b, []byte{c})
	}
	if b == nil {
		return s
	}
	return string(b)
}

// logger collects lines in one buffered writer that the run loop flushes
// every tick: tens of thousands of lines a second then cost a few syscalls,
// not one each. HTTP handlers log through it too, hence the lock.
type logger struct {
	mu     sync.Mutex
	w      *bufio.Writer
	stderr io.Writer
	g      *gen
}

func newLogger(stdout, stderr io.Writer) *logger {
	return &logger{w: bufio.NewWriterSize(stdout, 64<<10), stderr: stderr, g: newGen()}
}

// emit writes n lines made by fn, all stamped with the current time.
func (l *logger) emit(n int, fn lineFunc) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.g.now = time.Now()
	for range n {
		// AvailableBuffer lets fn append straight into the writer's buffer.
		b := fn(l.w.AvailableBuffer(), l.g)
		l.w.Write(append(b, '\n'))
	}
}

func (l *logger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.Flush()
}

// toStderr writes one line to stderr, after what stdout holds so far, so
// the two streams read in order.
func (l *logger) toStderr(fn lineFunc) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.w.Flush()
	l.g.now = time.Now()
	l.stderr.Write(append(fn(nil, l.g), '\n'))
}

// pacer decides how many lines are due at each tick. Gaps are exponential
// (a Poisson process), so even at one line a second the output looks like
// traffic rather than a metronome, and the average rate is exact.
type pacer struct {
	rate  float64
	start time.Time
	next  float64 // seconds after start when the next line is due
	r     *rand.Rand
}

func newPacer(rate float64, start time.Time) *pacer {
	p := &pacer{rate: rate, start: start, r: rand.New(rand.NewPCG(uint64(start.UnixNano()), 1))}
	if rate > 0 {
		p.next = p.r.ExpFloat64() / rate
	}
	return p
}

func (p *pacer) due(now time.Time) int {
	if p.rate <= 0 {
		return 0
	}
	elapsed := now.Sub(p.start).Seconds()
	// After a stall (a paused container, a suspended laptop) skip the
	// backlog instead of dumping it all at once.
	if elapsed-p.next > 1 {
		p.next = elapsed
	}
	n := 0
	for p.next <= elapsed {
		n++
		p.next += p.r.ExpFloat64() / p.rate
	}
	return n
}
