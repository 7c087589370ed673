// Package originalsim deploys the original engine (engine/original) on the
// simulator for the scenario runner and the harness: one worker core per
// node and a client core on a node of its own (Original implements
// scenarios.Engine), and carries out fault-plan actions on it (SimTarget).
//
// It is a package of its own, not part of internal/scenarios, because
// engine/original's own tests import internal/scenarios.
package originalsim
