// Command dflab is the dflab CLI (harness/cli): run, sweep, figures,
// faults, repro, plot, calibrate; `dflab --help` lists every command.
package main

import (
	"os"

	"github.com/dflab/dflab/harness/cli"
)

func main() { os.Exit(cli.Main(os.Args)) }
