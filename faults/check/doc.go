// Package check holds the checkers that need no engine, usable on any run:
//
//   - Acks: acknowledged ⇒ survives. A log of issued and acknowledged
//     writes per key, checked against what is read back after a crash and
//     recovery; writes in flight at the crash may or may not have landed.
//   - PersistBeforeSend: the outbox rule. It reports ordering-mark
//     violations, converted from the simulator's (FromSim) or the real
//     driver's (FromHost) lists, or found by Ordering from a log of
//     requests and completions.
//   - SameState: replay equivalence. It compares a state's encoding
//     before a crash with its encoding after recovery and explains the
//     difference readably (by JSON path, or by line).
//
// Each failure is a *Failure naming the checker, so the harness can print
// it with the command that reproduces the run.
package check
