// Package workload is the shape every dflab workload has, so that the
// harness, the fault checkers and the tests drive any of them the same way
// on any engine:
//
//   - Register puts the workload's orchestrators, activities and entities
//     in a durable.Registry;
//   - Instance returns the client requests that start instance i of the
//     workload (one orchestration, one bank transfer, one map-reduce job),
//     and Generate turns a Load (closed loop: N at once; open loop: a rate
//     for a duration, Poisson or fixed spacing) into a schedule of Arrivals
//     at virtual offsets, every random choice drawn from an rng.Source;
//   - Units says what a work unit is and how many one instance is worth
//     (throughput = units / (last completion − first start));
//   - Cost is the simulator's cost model, as data;
//   - Check is the oracle: it inspects what a run produced (orchestration
//     outcomes and entity states) and returns an error naming the first
//     thing that is wrong.
//
// Parameters are plain structs with a Validate method; DecodeParams reads
// them from JSON strictly (unknown fields are errors).
package workload
