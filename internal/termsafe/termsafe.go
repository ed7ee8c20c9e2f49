// Package termsafe makes untrusted text safe to print on a terminal.
//
// Container log lines, task errors, labels, names and environment values all
// come from whoever built the image or wrote the stack file. Printed as they
// are, they can move the cursor, clear the screen, set the window title,
// write the clipboard (OSC 52), plant hyperlinks or hide text behind a
// carriage return. Everything swarmtop shows passes through [Clean] (or
// [CleanKeepSGR]) first; there is deliberately one sanitiser, not one per view.
//
// What [Clean] does, byte by byte:
//
//   - Printable text is kept: ASCII 0x20–0x7E and every valid UTF-8 rune that
//     is graphic (letters, marks, numbers, punctuation, symbols, spaces), plus
//     ZWJ and ZWNJ so that emoji and Indic scripts still join.
//   - Escape sequences introduced by ESC are removed whole, parsed by
//     github.com/charmbracelet/x/ansi: CSI (cursor moves, erase, modes, SGR),
//     OSC (titles, clipboard, hyperlinks) up to BEL or ST, DCS/SOS/PM/APC up
//     to ST, and two-byte ESC sequences (ESC c, ESC 7, ESC ( B …). An
//     unterminated sequence swallows the rest of the string, as a terminal
//     would; the caller cleans one line at a time so that stays one line.
//   - A tab becomes [TabSpaces] spaces: a raw tab's width depends on the
//     cursor column, which breaks every width a layout computes.
//   - Line breaks inside the string (LF, CR, VT, FF, NEL) become one space,
//     so "ok\rFAKE" cannot overwrite text and words do not run together.
//   - Every other C0 control (NUL, BEL, backspace …), DEL, and the C1
//     controls U+0080–U+009F are dropped. A few terminals read U+009B as
//     CSI; dropping it leaves its parameters as harmless visible text.
//   - Invalid UTF-8 becomes U+FFFD, one per bad byte. Raw bytes 0x80–0x9F
//     are never taken as 8-bit C1 introducers: a UTF-8 terminal does not,
//     and treating them so would let a stray Windows-1252 byte eat the line.
//   - Unicode format characters are dropped, among them the bidi overrides
//     and isolates (U+202A–U+202E, U+2066–U+2069, "Trojan Source"), zero-width
//     space, BOM, soft hyphen and the invisible tag characters U+E0000–U+E007F.
//     Unassigned and private-use code points become U+FFFD.
//
// Not handled, on purpose: long runs of combining marks ("zalgo" text) and
// look-alike characters. They can make a line ugly or misleading but cannot
// control the terminal.
//
// Known imprecision, harmless for safety: inside an OSC/DCS string the
// parser also ends the string at a raw 0x9C byte (8-bit ST), which is the
// last byte of some UTF-8 letters (Ü is C3 9C). The rest of such a payload
// then shows as plain text instead of being hidden.
package termsafe

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// TabSpaces is what a tab becomes.
const TabSpaces = "    "

// sgrReset ends any colour a kept SGR sequence started, so colour cannot
// bleed into whatever is printed after the cleaned string.
const sgrReset = "\x1b[m"

// Clean returns s with every control sequence and control character removed
// or neutralised; see the package documentation for the exact rules.
func Clean(s string) string {
	return clean(s, false)
}

// CleanKeepSGR is [Clean] that keeps well-formed 7-bit SGR sequences
// (ESC [ digits and semicolons m), so colourful logs stay colourful. Every
// other sequence is removed. When any SGR was kept, a reset (ESC [ m) is
// appended. Note that SGR can still conceal (8) or blink (5) text; views
// that must show every character use Clean.
func CleanKeepSGR(s string) string {
	return clean(s, true)
}

func clean(s string, keepSGR bool) string {
	if isPlainASCII(s) {
		return s // the common case: no allocation
	}
	var b strings.Builder
	b.Grow(len(s))
	keptSGR := false
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			j := i + 1
			for j < len(s) && s[j] >= 0x20 && s[j] < 0x7f {
				j++
			}
			b.WriteString(s[i:j])
			i = j
		case c == ansi.ESC:
			seq := escapeSequence(s[i:])
			if keepSGR && isSGR(seq) {
				b.WriteString(seq)
				keptSGR = true
			}
			i += len(seq)
		case c < utf8.RuneSelf:
			b.WriteString(controlReplacement(rune(c)))
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			b.WriteString(runeReplacement(r, s[i:i+size]))
			i += size
		}
	}
	if keptSGR {
		b.WriteString(sgrReset)
	}
	return b.String()
}

// isPlainASCII reports whether s holds only printable ASCII.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// escapeSequence returns the escape sequence at the start of s (which starts
// with ESC): the whole sequence, a lone ESC, or the rest of s when the
// sequence is not terminated.
func escapeSequence(s string) string {
	seq, _, n, _ := ansi.DecodeSequence(s, ansi.NormalState, nil)
	if n == 0 {
		n = 1 // never loop on a byte the parser did not consume
	}
	if len(seq) != n {
		seq = s[:n]
	}
	return seq
}

// isSGR reports whether seq is ESC [ followed only by digits and
// semicolons and ended by m: colours and text attributes, nothing else.
func isSGR(seq string) bool {
	if len(seq) < 3 || seq[0] != ansi.ESC || seq[1] != '[' || seq[len(seq)-1] != 'm' {
		return false
	}
	for i := 2; i < len(seq)-1; i++ {
		if c := seq[i]; (c < '0' || c > '9') && c != ';' {
			return false
		}
	}
	return true
}

// controlReplacement is what an ASCII control character (or DEL) becomes.
func controlReplacement(r rune) string {
	switch r {
	case '\t':
		return TabSpaces
	case '\n', '\r', '\v', '\f':
		return " "
	}
	return ""
}

// runeReplacement is what a non-ASCII rune r, encoded as raw, becomes.
// RuneError from a one-byte raw is an invalid byte.
func runeReplacement(r rune, raw string) string {
	switch {
	case r == utf8.RuneError && len(raw) == 1:
		return "\uFFFD"
	case r == 0x85: // NEL, a C1 line break
		return " "
	case r < 0xa0: // other C1 controls
		return ""
	case r == 0x200c || r == 0x200d: // ZWNJ, ZWJ: needed to join scripts and emoji
		return raw
	case unicode.Is(unicode.Cf, r): // format: bidi, zero-width, BOM, tags
		return ""
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return " "
	case unicode.IsGraphic(r):
		return raw
	}
	return "\uFFFD" // unassigned, private use, surrogate halves
}
