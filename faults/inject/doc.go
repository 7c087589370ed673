// Package inject applies a fault plan (faults/plan) to a run, in the
// simulator and for real.
//
// An Injector is built from a Config: the plan, the run's clock and start,
// a seeded sim/rng source and, for real runs only, a sleep function.
//
//   - Middleware is a port.Middleware (as backends/meter's) that both
//     drivers run every storage op through: "storage error" fails a
//     matching request before it is applied; "storage error-after" applies it and then fails it (the ambiguous
//     case: Error.Ambiguous); "throttle" fails it with a server-busy error
//     (wraps ErrServerBusy, which wraps ErrTransient); "duplicate stream"
//     appends a stream batch twice. Every injected error is an *Error with
//     Retryable() true. When several lines hit one request, throttle wins
//     over error, error over error-after.
//   - Latency faults ("latency xF", "delay stream D") are applied by the
//     decorator only when Config.Sleep is set (real runs): a stream delay
//     sleeps before the append, a multiplier sleeps (F-1) times the
//     request's duration on Clock after it. The decorator never calls
//     time.Sleep itself. Under the simulator leave Sleep nil and call
//     Latency from the driver where it samples a request's latency (see
//     Latency for the hook sim/ needs).
//   - Schedule compiles the timed actions (crash, restart, move, lease-loss)
//     into calls on a Scheduler and a Target; SimScheduler and SimTarget
//     adapt a sim.Kernel and sim.Driver. A crash also applies the plan's
//     crash effects (torn-tail, lose-unsynced) through CrashEffects.
//
// Determinism: each storage or stream line draws from its own substream per
// op kind, forked from Config.Rand by the line's text (not its position),
// and draws once per matching request in its window whether or not another
// line fired. Adding a line, or a fault kind, shifts no other line's
// decisions; the same seed, plan and request sequence give the same faults.
//
// Counts reports how often each fault took effect, by fault kind and op
// kind (or node, or partition), for the campaign's summary table.
package inject
