// Package metrics measures a run the way the Netherite paper does and
// summarizes repetitions:
//
//   - throughput = work units / (latest completion − earliest start);
//   - latency as an HDR histogram (hdrhistogram-go, microseconds, 3
//     significant digits) with p25/p50/p90/p99/max, its recorded buckets
//     and the CDF from every bucket (a row keeps percentile steps);
//   - storage traffic per op kind and per port (blob, page, append, lease,
//     queue, table, stream) from a backends/meter Snapshot;
//   - dollars per 1,000 work units from a meter price list;
//   - CPU busy fraction per node and recovery times after faults;
//   - throughput and latency over time (a timeline of fixed windows).
//
// Every Set carries its Clock, "virtual" (simulation) or "wall" (real
// backends), so nobody compares the two by accident. Summarize computes
// mean, standard deviation and a 95% confidence interval (Student's t)
// over repetitions with gonum.
//
// A Recorder is the one place a runner reports what happened; it is not
// safe for concurrent use (the real driver serializes completions).
package metrics
