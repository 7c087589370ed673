// Package workloadtest runs a workload's schedule on the reference loop
// (engine/replay/replaytest.World) and collects the Run its oracle checks.
// It is for tests: the engines have their own drivers.
package workloadtest
