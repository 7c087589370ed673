// Command dflab is the harness's command line:
//
//	dflab spec      validate a spec (file and/or flags) and print it resolved
//	dflab run       run a spec's repetitions, append rows to a JSONL file
//	dflab sweep     expand a matrix of specs and run every point
//	dflab figures   regenerate the paper's figures into results/ and notebooks/
//	dflab calibrate calibrate the simulator's CPU model on the real engine
//	dflab faults    run the swarm fault campaign: seeds, faults, checkers, summary
//	dflab repro     re-run one failing seed (a campaign seed, or a spec) with its fault plan
//	dflab plot      draw charts (and CSV tables) from a JSONL results file
//	dflab schema    print the results schema (results/README.md)
//
// The long-running ones (run, sweep, figures, faults, bench, calibrate)
// take --profile cpu|mem|block|mutex|trace (github.com/pkg/profile), the
// file written beside their results for go tool pprof or go tool trace.
//
// Every subcommand has --help. Commands that run experiments need an
// engine registered in harness.Default; until the engines land they say
// so and exit with status 1 rather than produce results.
package cli
