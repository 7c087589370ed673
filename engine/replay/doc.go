// Package replay holds the deterministic executors.
//
// The orchestration Executor runs an orchestrator as a coroutine (iter.Pull:
// a synchronous hand-off, no goroutine races): it replays the instance's
// history, checking that the code asks for exactly the actions the history
// recorded, then applies new events and returns the new history events,
// the outgoing messages and the instance's status. Kept in memory, an
// Executor is a cached cursor: later steps continue the suspended
// orchestrator without replaying from the start.
//
// The entity executor applies a batch of operations and lock messages to an
// entity's state, one at a time, holding requests while a critical section
// of another orchestration holds the entity, and forwarding lock requests
// along the sorted lock set.
package replay
