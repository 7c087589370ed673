// Package plan holds fault plans as data (Plan, a list of Fault) and their
// text form. Parse reads it, Plan.String prints it back: printing a parsed
// canonical plan gives the same bytes, and parsing a printed plan gives an
// equal Plan.
//
// # Grammar
//
// One fault per line; '#' starts a comment; blank lines are ignored.
// Durations take a unit: ms, s or m (50ms, 5s, 1.5s, 2m), in whole
// milliseconds. Times are run time: time since the run's start. Windows
// FROM..TO are half-open, [FROM, TO); without a window a fault applies for
// the whole run. Probabilities are in (0, 1]. Op globs use path.Match syntax
// (*, ?, [...]) over the op kinds of engine/port (OpKinds) and must match at
// least one of them. Options (p=, op=, the window) may come in any order;
// String prints them in the order below.
//
//	at TIME crash NODE                       at 5s crash node2
//	at TIME crash-forever NODE               at 5s crash-forever node2
//	at TIME restart NODE                     at 8s restart node2
//	at TIME move PARTITION NODE              at 8s move p3 node1
//	at TIME lease-loss PARTITION             at 12s lease-loss p4
//	                                         (also: lease-loss p4 at 12s)
//	storage error p=P op=GLOB [WINDOW]       storage error p=0.01 op=page-write
//	storage error-after p=P op=GLOB [WINDOW] storage error-after p=0.01 op=table-*
//	latency xF op=GLOB [p=P] [WINDOW]        latency x20 op=queue-* 10s..20s
//	throttle op=GLOB [p=P] [WINDOW]          throttle op=queue-* 10s..20s
//	duplicate stream p=P [WINDOW]            duplicate stream p=0.05
//	delay stream DURATION p=P [WINDOW]       delay stream 50ms p=0.1
//	torn-tail PARTITION at crash             torn-tail p7 at crash
//	lose-unsynced at crash                   lose-unsynced at crash
//
// "crash-forever" is a crash after which the node never restarts: a later
// restart of it is rejected, and a fault campaign's heal phase leaves it
// down (its work must move to the other nodes).
//
// "storage error" fails a request before it is applied; "storage
// error-after" applies it, then fails it (the ambiguous case). "throttle"
// fails requests with a retryable server-busy error (p defaults to 1, as
// for latency). "latency xF" multiplies the service latency. Nodes are
// names like node2; partitions are p0, p1, ... Errors name the line, the
// bad token and the allowed values.
//
// Only faults the design claims to survive exist here; see package faults.
package plan
