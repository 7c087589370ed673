// Package reactor keeps a core's in-flight work: the Ready being filled,
// and for every storage request, timer and activity the core has asked
// for, the continuation its completion, firing or result is handed to.
//
// A continuation is data first: a Then names the step the core takes with
// the outcome and what it concerns (an instance, a queue), so a core, a
// step script (internal/steptest) or a debugger can print what a core is
// waiting for (Pending) instead of holding anonymous closures. The step
// itself is a func kept beside its Then.
//
// Every engine's cores use one Reactor: engine/original, engine/sql,
// engine/workflow, engine/chain and engine/netherite. Inputs are matched to
// continuations by id, never by iterating a map, so the order of effects
// is the order of inputs. Ids are the core's own and are numbered either
// per kind (requests, timers and activities each from 1) or from one
// counter shared by the three kinds (New's IDs): which one is part of a
// core's trace, so it is chosen once per engine and kept.
//
// The package is engine code under the one rule: no clock, no goroutines,
// no randomness, no os, net or sync.
package reactor
