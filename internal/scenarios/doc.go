// Package scenarios owns the engine-agnostic end-to-end scenario suite:
// scenarios (registry setup, client calls, expected outcomes) that any
// engine runs on the sim driver with mem stores, the Engine interface an
// engine implements to be run (engine.go), the runner (run.go), the
// Netherite adapter (netherite.go) and its fault-plan glue (glue.go:
// Netherite.SimTarget carries out moves, lease losses, torn tails and lost
// unsynced writes for faults/inject), and the Tally scenario (tally.go) the
// golden scripts use to check exactly-once steps and at-least-once
// activities. The original engine's adapter and glue are in originalsim;
// the golden scenario scripts in golden.
package scenarios
