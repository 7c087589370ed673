// Package figures defines the paper's figures as data and regenerates
// them: Fig. 9 (throughput scale-out: 4 workloads × {1,4,8,12} nodes ×
// {1,2,4} cores × both engines), Fig. 10 (storage traffic of Fig. 9's
// runs), Fig. 11 (latency CDFs of Hello3, Sequence 10, image recognition
// and Bank for Netherite with and without pipelining and the original
// engine), the speculation levels, an elasticity/recovery timeline
// under a crash/restart fault plan, the sql engine's vCores sweep, and a
// what-if past the paper (whatif.go): both engines on Hello5 and Bank from
// 4 to 128 nodes × 4 cores (Netherite up to 1,024 partitions), each point
// naming the resource that bound it, sized to about a CPU-minute.
//
// Every figure runs on the simulator with the model set Models (the one
// constant to switch to a calibrated set), seed Seed and Repetitions
// repetitions, with the paper's engine knobs (12 partitions with local
// speculation, 12 control queues) and run sizes scaled so that all of
// `make figures` runs in minutes (sizing.go says how). Run executes the
// specs on several workers (results stay in spec order and do not depend
// on the workers); Plot draws the charts (gonum/plot, PNG, SVG and PDF;
// labelled error bars, Fig. 11's CDFs and CCDFs from every histogram
// bucket), the CSVs (latency.csv for CDF figures) and one Markdown summary
// per figure with dflab's numbers beside the paper's, and writes
// results/paper.csv from paper.go (only what paper-notes.md gives) for
// the Jupyter notebooks in notebooks/, which read the same CSVs.
package figures
