// Package host is the real driver: it runs engine cores (port.Core) on
// goroutines, one per core, with an unbounded inbox; executes their storage
// requests against real backends (port.Stores) on goroutines, through the
// configured middleware chain (a meter, a fault injector: port.Middleware),
// completing requests on the same object in issue order (Op.Target), as
// the simulator does; sets wall-clock timers; runs activities on a bounded
// worker pool; hands responses to a callback; and checks the outbox rule
// (Needs/Makes marks) as the simulator does. It is the only engine package
// allowed goroutines, channels and the wall clock.
package host
