// Package steptest runs step-level interaction scripts against one engine
// core (a port.Core), in the style of etcd-io/raft's rafttest: the script
// is the driver. It says which input the core gets next — a client call, a
// storage completion, a timer, an activity's outcome, a crash — and the
// expected output is every Ready the core answers with, printed as data
// (print.go): each request's op kind, target, size, payload summary and
// its Needs/Makes marks, timers, activities, responses, health and work.
// Nothing moves unless the script says so, and the only clock is the
// script's, so a run is deterministic and a change in a core's behaviour
// shows as a reviewable diff. Rewrite the expected output with
//
//	go test ./engine/netherite -run Steps -rewrite
//
// # Script format
//
// A script is a sequence of blocks: a command line, a "----" line, and the
// expected output up to a blank line (output never contains one). Lines
// starting with '#' between blocks are comments.
//
//	start [key=value...]           make the core (Rig.New) and step port.Started
//	restart                        a new life: a fresh core with the same arguments, port.Started
//	deliver call [args...]         step a port.ClientCall (Rig.Call makes its Req)
//	deliver msg [args...]          put a message where the core reads (Rig.Message); no step
//	complete ID|OP|all [err=KIND]
//	                               apply request ID's op (or the first in flight of op
//	                               kind OP) to the stores and step its result;
//	                               err=KIND: step the error without applying the op
//	                               (KIND: not-found conflict lease-held lease-lost transient
//	                               busy corrupt too-large); all: every request in flight, in
//	                               issue order
//	fire ID|due                    step a timer's firing (the clock moves to its time);
//	                               due: every timer due by now
//	activity ID ok|fail[=MSG]      ok: run activity ID and step its output; fail: step an error
//	advance DURATION               move the clock on (Go duration syntax)
//	crash [apply=ID,ID...]         the core's life ends: requests in flight listed are
//	                               applied to storage, the others dropped; timers and
//	                               activities are forgotten
//	ready                          print what is in flight: the requests, timers and
//	                               activities the driver holds for the core, each
//	                               followed by "  -> " and what the core will do
//	                               with its outcome (its engine/reactor continuation)
//	store stream/N|blob/NAME       print a stream partition's records (through
//	                               Rig.Describe) or a blob's content
//
// Request, timer and activity ids are the core's own, as its Ready gave
// them. Each engine's scripts live in its package's testdata/steps, run by
// its TestSteps with a Rig saying how the engine's cores are made and how
// a message reaches them (often through the engine's own client core:
// ClientMessage); the workload is HelloRegistry.
//
// The harness is a driver: it keeps the drivers' rules. Completions of
// requests on one target follow issue order (complete refuses to skip one);
// a request whose Needs mark is not durable when issued prints a
// "VIOLATION" line (the outbox rule, as sim.Driver records it), so a script
// asserts that no message is sent before its persist completes by showing
// none.
package steptest
