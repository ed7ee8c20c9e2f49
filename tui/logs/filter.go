package logs

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// filter selects lines by their text. A plain query is a substring, matched
// ignoring case unless it has an upper-case letter (smart case, as in less
// and vim); a query written /like this/ is a regular expression.
type filter struct {
	raw string         // as typed, shown in the status line
	re  *regexp.Regexp // nil: exact substring
	sub string
}

// parseFilter reads a query; an empty query is no filter.
func parseFilter(q string) (filter, error) {
	f := filter{raw: q}
	switch {
	case q == "":
		return f, nil
	case len(q) >= 2 && strings.HasPrefix(q, "/") && strings.HasSuffix(q, "/"):
		re, err := regexp.Compile(q[1 : len(q)-1])
		if err != nil {
			return filter{}, fmt.Errorf("bad regular expression: %w", err)
		}
		f.re = re
	case strings.IndexFunc(q, unicode.IsUpper) < 0:
		// Case-insensitive substring: a regexp keeps byte offsets right
		// for highlighting, which lower-casing the text would not for
		// every script.
		f.re = regexp.MustCompile("(?i)" + regexp.QuoteMeta(q))
	default:
		f.sub = q
	}
	return f, nil
}

func (f filter) active() bool { return f.raw != "" }

// match reports whether text passes; no filter passes everything.
func (f filter) match(text string) bool {
	switch {
	case f.re != nil:
		return f.re.MatchString(text)
	case f.sub != "":
		return strings.Contains(text, f.sub)
	}
	return true
}

// ranges returns the byte ranges of the matches in text, for highlighting.
func (f filter) ranges(text string) [][]int {
	switch {
	case f.re != nil:
		return f.re.FindAllStringIndex(text, -1)
	case f.sub != "":
		var out [][]int
		for at := 0; ; {
			i := strings.Index(text[at:], f.sub)
			if i < 0 {
				return out
			}
			out = append(out, []int{at + i, at + i + len(f.sub)})
			at += i + len(f.sub)
		}
	}
	return nil
}

// errorPattern spots lines worth a red mark: log levels, Python and Java
// tracebacks, Go panics, and HTTP 5xx statuses as access logs write them
// (`"GET / HTTP/1.1" 502`, `status=503`).
var errorPattern = regexp.MustCompile(`\b(?:ERROR|CRITICAL|FATAL|Fatal|fatal|Traceback|[A-Za-z]*Exception|panic:)|(?:HTTP/[0-9.]+"?\s+|status[=:]\s?"?|code[=:]\s?"?)5[0-9]{2}\b`)

// isErrorText reports whether a line looks like an error. It runs only on
// the lines on screen, so its cost does not grow with the log rate.
func isErrorText(text string) bool { return errorPattern.MatchString(text) }
