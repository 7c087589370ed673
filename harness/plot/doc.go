// Package plot draws the paper's figure types with gonum/plot, as PNG,
// SVG and PDF: grouped bars of throughput against cluster size (Fig. 9 style,
// optionally normalized to a baseline), grouped bars of storage requests
// and megabytes per workload and engine (Fig. 10 style), latency CDFs
// from every recorded histogram bucket (Fig. 11 style, optionally with a
// logarithmic x axis, or as CCDFs on a log axis for the tail) and time
// series of throughput and latency with labelled markers (faults). Every
// chart has a title, axis labels with units, and its legend in a strip to
// the right of the data so it never hides a bar or a line; error bars are
// required to have a legend entry saying what they are (CILabel).
//
// The chart builders take plain data (this package knows nothing of
// engines); fromresults.go builds that data from result rows.
package plot
