// Command durabletask-go runs the Hello5 orchestration (five activities in
// sequence) on microsoft/durabletask-go as its users run it (the in-process
// TaskHubWorker of its samples with default options, on its SQLite backend
// in memory and in a file) and on dflab's Netherite engine (mem and disk
// storage, the dflab facade's defaults) in one process, one configuration
// after the other, and prints throughput, latency and CPU per orchestration
// of each with its ratio to durabletask-go's in-memory SQLite, beside the
// command and the machine.
//
// It is a module of its own so that durabletask-go and its dependencies
// never enter dflab's go.mod. Run it with `make bench-peers` from the
// repository root, or `go test -bench .` here for the same figures as Go
// benchmarks.
package main
