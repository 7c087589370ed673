// Package spec is the experiment specification: which engine with which
// knobs, on which backend, on what cluster shape, running which workload
// under which load, with which fault plan, seed and repetitions.
//
// A spec is read from JSON (Decode) strictly: an unknown field or a value
// of the wrong type or out of range is an error that names the field by its
// JSON path and lists what is allowed, e.g.
//
//	spec.engine.netherite.speculation: "fast" is not one of none, local, global
//
// Resolve fills every default and validates, returning the fully resolved
// spec that is saved with every result, so a result says exactly what ran.
// A Matrix expands axes (JSON paths with lists of values) over a base spec
// into the resolved specs of a sweep or a paper figure.
package spec
