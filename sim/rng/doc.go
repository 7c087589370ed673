// Package rng owns the simulator's randomness: one root seed, named
// independent substreams, and distributions that are plain data.
//
// The generator is written here (SplitMix64 to seed xoshiro256**) so that a
// seed gives the same numbers on every Go version and platform; math/rand and
// crypto/rand are never used. A Source is split into named children with
// Fork: the child's seed is a hash of the parent's seed and the name, so
// adding a new consumer never shifts the numbers another consumer sees.
//
// Dist is a distribution value (constant, uniform, exponential, normal,
// lognormal, Zipf, empirical samples or percentiles) with a text form such as
// "lognormal(mu=2.5,sigma=0.4)" that is also its JSON form, so model sets can
// be saved and loaded as data. Sampling draws from a *Source and allocates
// nothing.
package rng
