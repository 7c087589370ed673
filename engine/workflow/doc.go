// Package workflow is the workflow service (Step Functions style) as a
// deterministic core: it runs executions of Amazon States Language
// definitions (engine/workflow/asl) with the semantics of Standard
// workflows. Every round of state transitions is recorded durably (one
// blob per execution holding the execution's state, written with an ETag
// check) before the next round starts and before the tasks it asks for
// are invoked; a task is an at-least-once invocation of an activity of the
// registry (the same activity code the Durable Functions workloads run);
// an execution is started exactly once per name (a create-only write); the
// history is capped at 25,000 events. Quotas are token buckets (state
// transitions and StartExecution per second); a start or a round of
// transitions that finds its bucket empty waits for the refill. After a
// restart the service lists its blobs and resumes every running execution
// from its last recorded transition, invoking its outstanding tasks again.
//
// The service answers the same client requests as the Durable Functions
// engines (durable.ClientRequest): start (by orchestration name: the
// definition registered under it), status, wait and query (the
// executions by status, state machine name prefix and creation time, a
// page at a time in name order, as ListExecutions; read from the
// records). It refuses the rest (raise, terminate, suspend, resume,
// purge: StopExecution is not modelled, and executions have no nested
// executions a recursive terminate or purge would reach).
package workflow
