// Package plot draws the paper's figure types with gonum/plot, as PNG and
// SVG: grouped bars of throughput against cluster size (Fig. 9 style,
// optionally normalized to a baseline), grouped bars of storage requests
// and megabytes per workload and engine (Fig. 10 style), latency CDFs
// (Fig. 11 style, optionally with a logarithmic x axis) and time series of
// throughput and latency. Every chart has a title, axis labels with units,
// and its legend in a strip to the right of the data so it never hides a
// bar or a line.
//
// The chart builders take plain data (this package knows nothing of
// engines); fromresults.go builds that data from result rows.
package plot
