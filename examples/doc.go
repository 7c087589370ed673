// Package examples is a module of its own that uses dflab the way a
// researcher's module does, against the exported API only: a custom
// workload (squares), a toy engine variant (batchy: Netherite with its
// stream-read batch size as a knob) and a program (cmd/dflab-examples)
// that registers both with cli.Main and so gets every dflab subcommand for
// them. examples_test.go builds the program and runs it through run,
// faults and repro; `make test` runs it.
package examples
