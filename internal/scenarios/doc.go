// Package scenarios owns the engine-agnostic end-to-end scenario suite:
// scenarios (registry setup, client calls, expected outcomes) that any
// engine runs on the sim driver with mem stores, the Engine interface an
// engine implements to be run (engine.go), the runner (run.go), and the
// Netherite adapter (netherite.go).
package scenarios
