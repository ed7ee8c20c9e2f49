//go:build race

package logs

// The race detector slows this code about tenfold; the latency budget
// checks the code, not the detector.
const latencyBudgetScale = 10
