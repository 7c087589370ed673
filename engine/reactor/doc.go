// Package reactor keeps a core's in-flight work: the Ready being filled,
// and for every storage request, timer and activity the core has asked
// for, the continuation its completion, firing or result is handed to.
//
// A continuation is data: a value of the core's own type K (Reactor[K]),
// a struct carrying what the step needs (the instance, the batch, the
// queue) whose Then says how it prints. When the outcome arrives, Dispatch
// hands the value and the outcome to the core's step function, which
// dispatches on the value (in the engines, a method of each continuation
// type), so a core, a step script (internal/steptest) or a debugger can
// print what a core is waiting for (Pending), as etcd-io/raft's steps are
// messages. The reactor holds no funcs: a continuation's fields are what
// the step needs (the instance, the checkpoint, the session, the call the
// answer goes to), and what a step goes on with afterwards is a value of
// the core's too.
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
