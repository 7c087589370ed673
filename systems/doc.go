// Package systems says what a system is: anything that runs a workload and
// is measured the same way (the Durable Functions engines original and
// netherite today; a SQL engine, a workflow service and trigger chains
// next). One System descriptor per system, in a package beside its engine
// (systems/netherite, systems/original), holds its name, its knobs (one
// definition serving specs, CLI flags, golden scripts and the fault
// campaign's draws), how it deploys on the simulator (Sim), how it starts
// on the real driver (Real), its fault targets, planted bugs and counters.
//
// A Registry of systems is open: systems/builtin returns one holding the
// built-in systems, and a researcher's module registers its own. The
// simulator runner, the real runner, the campaign, the golden scripts and
// the CLI find systems only through a registry, so adding a system is one
// package and one registration.
//
// A new system (the SQL engine, the workflow service, a trigger chain) is
// a package systems/<name> with a System value and one line in
// systems/builtin: Knobs with Defaults and ranges (Only for a knob one
// runner cannot honour), Sim returning a Deployment (plus FaultGlue,
// Counters, DurableStates, SendsBeforePersist as it has them), Real if it
// runs for real, Faults (the op globs it issues, the plan kinds it
// survives, its plan partitions), Draw for the campaign, Planted,
// Settle if its oracle must wait after completion, and Workloads if it
// runs some workloads only (the workflow service runs those it has state
// machines for; every loop over systems × workloads honours it). What a deployment asks
// of the simulated store is its stream partitions only so far; a system
// needing another port (the relational one) adds it there and in the
// runners' store setup.
//
// engine/** never imports this package (the descriptors import the
// engines, the simulator and the fault glue they need).
package systems
