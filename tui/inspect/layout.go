package inspect

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// spread puts left and right on one line of width w, cutting left first.
func spread(left, right string, w int) string {
	rw := ansi.StringWidth(right)
	if rw+2 > w {
		return ansi.Truncate(left, w, "…")
	}
	left = ansi.Truncate(left, w-rw-1, "…")
	return left + strings.Repeat(" ", w-ansi.StringWidth(left)-rw) + right
}
