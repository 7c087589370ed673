// Package azurite starts and stops Azurite, the Azure Storage emulator, for
// tests of backends/azure.
//
// Azurite is pinned in the repository's package.json and installed with
// `npm ci` into node_modules/ at the repository root (found by walking up
// from the working directory to go.mod). Each server is its own process
// group, listens on 127.0.0.1 only, keeps its data in memory and lets the
// kernel choose its three ports (blob, queue, table), which it reports on
// its standard output; so test packages running in parallel never collide,
// and the ports are known only once they accept connections.
//
// Start is the testing wrapper: it skips the test when Azurite is not
// installed, unless the CI environment variable is set, in which case it
// fails the test, so that CI cannot pass by silently skipping. StartServer
// is the plain API for programs (benchmarks, the harness) that want an
// emulator outside a test.
package azurite
