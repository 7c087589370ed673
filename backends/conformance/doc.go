// Package conformance is the one test suite every storage backend runs:
// TestBlob, TestQueue, TestTable and TestStream check the semantics the
// engines rely on (lease fencing and expiry, visibility timeouts and pop
// receipts, ETag conditions, batch atomicity, query continuation, ordered
// stream reads after reopen, size limits and bad input) against the ports
// in engine/port.
//
// A backend's own _test.go calls the suites with a Backend: a factory that
// opens fresh, empty stores reading time from a clock the suite controls,
// plus capability flags. Backends whose time cannot be faked (Azurite,
// NATS) set VirtualTime false and the expiry subtests are skipped; backends
// that persist offer Instance.Reopen and get the reopen subtests.
package conformance
