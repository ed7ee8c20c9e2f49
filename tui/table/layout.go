package table

import "github.com/swarmtop/swarmtop/tui/render"

// gap is the space between columns.
const gap = 2

// layout picks the columns that fit in width and their widths: each column
// starts at its natural width (its widest cell, within Min..Max); droppable
// columns go, rightmost first, while even the minimum widths do not fit;
// then the widest columns shrink towards their minimum. It returns one
// width per column, 0 for dropped ones.
func layout(cols []render.Column, rows []render.Row, width int) []int {
	w := make([]int, len(cols))
	for i, c := range cols {
		w[i] = clamp(naturalWidth(i, c, rows), c.Min, c.Max)
	}
	for i := len(cols) - 1; i >= 0 && sumMin(cols, w) > width; i-- {
		if cols[i].Drop {
			w[i] = 0
		}
	}
	for total(w) > width {
		i := widestShrinkable(cols, w)
		if i < 0 {
			break
		}
		w[i]--
	}
	return w
}

func naturalWidth(i int, c render.Column, rows []render.Row) int {
	n := cellWidth(c.Title)
	for _, r := range rows {
		if i < len(r.Cells) {
			n = max(n, cellWidth(r.Cells[i]))
		}
	}
	return n
}

func clamp(v, lo, hi int) int {
	return max(lo, min(v, hi))
}

func sumMin(cols []render.Column, w []int) int {
	n, shown := 0, 0
	for i, c := range cols {
		if w[i] > 0 {
			n += min(c.Min, w[i])
			shown++
		}
	}
	return n + gap*max(shown-1, 0)
}

func total(w []int) int {
	n, shown := 0, 0
	for _, x := range w {
		if x > 0 {
			n += x
			shown++
		}
	}
	return n + gap*max(shown-1, 0)
}

func widestShrinkable(cols []render.Column, w []int) int {
	best := -1
	for i, c := range cols {
		if w[i] > 0 && w[i] > c.Min && (best < 0 || w[i]-c.Min > w[best]-cols[best].Min) {
			best = i
		}
	}
	return best
}
