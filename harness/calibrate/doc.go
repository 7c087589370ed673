// Package calibrate fits the simulator's model set to the paper's
// calibration set (../shared/paper-notes.md, "Calibration set": the 24
// single-node throughput numbers of Fig. 9 and the Hello3 latency
// percentiles of Fig. 11 for Netherite local, Netherite none and the
// original engine), and to nothing else: the other figures are the
// validation set.
//
// It works in two steps (`dflab calibrate`):
//
//  1. Measure (measure.go): the real Netherite and original cores run the
//     throughput workloads on the simulator with every core wrapped by a
//     timer (sim.Config.WrapCore). Each turn's wall time on this machine is
//     regressed (non-negative least squares) on its counts of the keys the
//     simulator's CPU model charges ("input:<kind>", "work:<kind>"); the
//     median over runs is each step kind's cost in µs, per engine.
//  2. Fit (fit.go, params.go): a few physical parameters (Params: one factor
//     from this machine's cores to the paper's, a per-invocation cost of the
//     Azure Functions host, storage latency medians per op group, one
//     lognormal tail) build a model set; Nelder-Mead
//     (gonum/optimize) over their logarithms minimises the sum of
//     ln(dflab/paper)² over the targets, running every target on the
//     simulator (harness/simrun, evaluate.go) at each evaluation, on runs
//     scaled down so that an evaluation takes seconds.
//
// The result is a sim.ModelSet (with per-engine CPU costs in EngineCPU)
// written as JSON beside a CSV and Markdown fit report (report.go); the
// committed one is harness/simrun/models/paper2022.json.
package calibrate
