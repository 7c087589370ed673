// Package spec is the experiment specification: which engine with which
// knobs, on which backend, on what cluster shape, running which workload
// under which load, with which fault plan, seed and repetitions.
//
// A spec is read from JSON (Decode) strictly: an unknown field or a value
// of the wrong type or out of range is an error that names the field by its
// JSON path and lists what is allowed, e.g.
//
//	spec.engine.netherite.speculation: "fast": allowed none, local, global
//
// The engine's knobs are its system descriptor's (systems.System.Knobs):
// one definition, by one name, for specs, CLI flags (--knob NAME=V), golden
// scripts and the campaign's draws. A Catalog says which systems and
// workloads a spec may name (nil fields: the built-in ones; ResolveIn,
// ParseIn, ApplyIn, Matrix.ExpandIn take one).
//
// Resolve fills every default (an engine's knob defaults are its
// descriptor's, for the knobs the spec's runner honours) and validates,
// returning the fully resolved spec that is saved with every result, so a
// result says exactly what ran. A knob the spec's runner cannot honour is
// an error naming the knob and the runner.
// A Matrix expands axes (JSON paths with lists of values) over a base spec
// into the resolved specs of a sweep or a paper figure.
package spec
