// Package scenarios is a test suite: the engine-agnostic end-to-end
// scenarios (registry setup, client calls, expected outcomes) that any
// system's simulator deployment (Engine = systems.Deployment) runs on the
// sim driver with mem stores, the runner (run.go, and RunReal for the real
// driver), and the Tally scenario (tally.go) the golden scripts use to
// check exactly-once steps and at-least-once activities. The systems'
// deployments and fault glue are in systems/netherite and systems/original;
// the golden scenario scripts in golden. Only tests import this package
// (internal/archtest enforces it).
package scenarios
