// Package chain holds the descriptors of the trigger chains
// (engine/chain): queuechain (queue-triggered functions), blobchain
// (blob-triggered functions, polling) and lambdachain (S3-event-triggered
// functions, simulated only). Each runs the Sequence workload only, as the
// paper built it; a function host on every node, the frontend on a client
// node of its own.
package chain
