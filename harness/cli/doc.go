// Package cli is dflab's command line as a library:
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
//	dflab systems   list the systems and workloads served, with every knob
//
// The long-running ones (run, sweep, figures, faults, bench, calibrate)
// take --profile cpu|mem|block|mutex|trace (github.com/pkg/profile), the
// file written beside their results for go tool pprof or go tool trace.
//
// Every subcommand has --help. harness/cmd/dflab is the main of the
// built-in systems and workloads; a researcher's module builds its own:
//
//	func main() {
//		os.Exit(cli.Main(os.Args, cli.WithEngine(mysystem.System), cli.WithWorkload(myworkload.Factory)))
//	}
//
// and every subcommand serves its systems and workloads besides the
// built-in ones: specs name them, the fault campaign draws them, and the
// repro commands it prints name the program and the systems and
// workloads the seed drew from (examples/ is such a module).
package cli
