//go:build !race

package logs

const latencyBudgetScale = 1
