// Package results writes and reads experiment results: one JSONL row per
// run (the resolved spec, git revision, seed, repetition, metrics, wall
// time, dflab version), flat CSV tables pandas reads directly (one row per
// run, and one row per configuration with mean, standard deviation and
// 95% confidence interval over repetitions; latency.csv with every bucket
// of each configuration's merged latency histogram), and the schema document
// (SchemaMarkdown) describing every field and column, which `dflab schema`
// prints and `make figures` saves as results/README.md.
package results
