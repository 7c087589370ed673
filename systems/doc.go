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
// engine/** never imports this package (the descriptors import the
// engines, the simulator and the fault glue they need).
package systems
