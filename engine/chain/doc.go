// Package chain is trigger-chained functions as deterministic cores: a
// function host (Host) whose listeners run the Azure Functions hosts'
// polling algorithms, and a frontend (Frontend) that stands for the
// orchestration the paper wrapped its chains in.
//
// The Sequence workload as the paper built it (durabletask-netherite's
// QueueSequence and BlobSequence benchmarks): an orchestration's activity
// writes the first message or blob, each triggered function runs one task
// and writes the next, and the last one raises an event back to the
// orchestration. Here the frontend takes the start (a create-only run
// record: one chain per name), writes the first message or blob as that
// activity did, and answers waits from the event the last function writes
// (a create-only done blob). The tasks are the registry's activities (the
// same code the Durable Functions engines run).
//
// Listeners (Config, with the documented defaults of the current host and
// of the 2020 host):
//   - Queue trigger: a poll gets up to BatchSize messages with a
//     visibility timeout; after a poll that found messages the next comes
//     after MinPoll; after an empty one the gap grows by the host's
//     randomized exponential back-off (min + min·2^(k-1)·U(0.8, 1.2)) up to
//     MaxPoll; a new batch is fetched only while at most NewBatchThreshold
//     messages run. A failed function makes its message visible again
//     after RetryVisibility; a message dequeued MaxDequeueCount times that
//     fails again goes to the poison queue ("<queue>-poison"). A host that
//     enqueues a message on a queue it listens to polls it at once (the
//     hosts' shared queue watcher), whatever its back-off. A message
//     of a host that crashed reappears after the visibility timeout: its
//     step may run twice, the chain completes once (the done blob is
//     create-only).
//   - Blob trigger (polling): every ScanInterval the host holding the scan
//     claim lists the container, at most ScanBudget blobs per scan (a
//     listing continues at the next scan), and puts every blob written
//     since the last complete sweep began (less a clock-skew margin) on
//     the host's internal queue, which a queue listener with the queue
//     trigger's algorithm drains; a blob receipt (create-only, claimed
//     with an ETag-checked expiry, then marked done) makes a blob run its
//     function once, whichever host and however often it is found.
//
// A Lambda chain (S3 events to asynchronously invoked functions) is the
// blob chain with push delivery: a put raises its event after the
// simulated event delay, with no scan and no internal queue hop.
//
// Cores never read a clock: polling gaps are timers, jitter comes from a
// seeded generator, no output depends on map order.
package chain
