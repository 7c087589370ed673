// Command dflab-examples is dflab's command line serving the examples'
// workload (squares) and engine (batchy) besides the built-in ones.
package main

import (
	"os"

	"github.com/dflab/dflab/examples/batchy"
	"github.com/dflab/dflab/examples/squares"
	"github.com/dflab/dflab/harness/cli"
)

func main() {
	os.Exit(cli.Main(os.Args, cli.WithEngine(batchy.System), cli.WithWorkload(squares.Factory)))
}
