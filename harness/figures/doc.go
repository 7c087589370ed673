// Package figures defines the paper's figures as data: for each figure,
// the matrices of experiment specs that produce its points (the paper's
// setup from paper-notes.md: 12 partitions with local speculation for
// Netherite, 12 control queues for the original engine, 6 repetitions)
// and how to chart them. `dflab figures` expands and runs them once the
// engines are registered; `dflab figures --list` prints them today.
package figures
