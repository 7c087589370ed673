// Package backoff is the polling back-off the cores share, with its seeded
// jitter source.
//
// Backoff is the randomized exponential back-off of the Azure Functions
// hosts' queue listeners (RandomizedExponentialBackoffStrategy, used by
// engine/chain) and of DurableTask.SqlServer's BackoffPollingHelper (used
// by engine/sql): one algorithm with the growth step (Delta) as a
// parameter. engine/original's back-off is a different one (a uniform
// wait in [bound/2, bound], the bound doubling) and stays in its package;
// all three draw their jitter from Rand.
//
// The package is engine code under the one rule: Rand is a seeded
// generator (engine code may not use math/rand), so the jitter replays
// exactly.
package backoff
