package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/dflab/dflab/harness"
	"github.com/dflab/dflab/harness/spec"
)

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch: its output streams, the catalog of
// systems and workloads it serves, the runners' registry, and the
// program's name for the commands it prints.
type env struct {
	stdout, stderr io.Writer
	catalog        spec.Catalog
	registry       *harness.Registry
	program        string
}

var commands = map[string]command{
	"azurite":   {"start the pinned Azurite with the flags it needs, print its connection string", cmdAzurite},
	"spec":      {"validate a spec and print it resolved", cmdSpec},
	"run":       {"run a spec's repetitions and append result rows", cmdRun},
	"bench":     {"run the bench subset on the simulator: table, CSV and charts", cmdBench},
	"sweep":     {"expand a matrix of specs and run every point", cmdSweep},
	"figures":   {"regenerate the paper's figures into results/ and notebooks/", cmdFigures},
	"calibrate": {"calibrate the simulator's models to the paper's calibration set", cmdCalibrate},
	"ablation":  {"turn each structural feature of the model off alone: fit and Fig. 9 shape", cmdAblation},
	"faults":    {"run the swarm fault campaign on the simulator: seeds, faults, checkers", cmdFaults},
	"repro":     {"re-run one seed with its fault plan", cmdRepro},
	"plot":      {"draw charts and CSV tables from a JSONL results file", cmdPlot},
	"schema":    {"print the results schema (results/README.md)", cmdSchema},
	"systems":   {"list the systems (engines) and workloads served, with every knob", cmdSystems},
	"version":   {"print the module version, git revision and Go version dflab was built with", cmdVersion},
	"worker":    {"run one node of an engine against a cluster's shared storage", cmdWorker},
	"load":      {"run a spec's instances from a client against a cluster of workers", cmdLoad},
	"cluster":   {"start (up), stop (down) or list (status) a local cluster: Azurite, NATS R3, workers", cmdCluster},
	"merge":     {"put the shards of figures --shard or sweep --shard back together", cmdMerge},
}

// ExitInterrupted is the exit status of a command stopped by an
// interrupt or SIGTERM (128 + SIGINT, as shells report it).
const ExitInterrupted = 130

// Main runs the command line args (args[0] is the program's name) until
// an interrupt or SIGTERM and returns the exit status. The options add
// systems and workloads to the built-in ones; every subcommand serves them.
// The first interrupt stops the command: one cut short reports
// "interrupted" and exits 130; a second interrupt kills the process at once.
func Main(args []string, opts ...Option) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // the next signal has its default effect
	}()
	opts = append([]Option{WithProgram(programName(args))}, opts...)
	if len(args) == 0 {
		args = []string{"dflab"}
	}
	return dflab(ctx, args[1:], os.Stdout, os.Stderr, opts...)
}

// dflab runs one command line and returns the exit status.
func dflab(ctx context.Context, args []string, stdout, stderr io.Writer, opts ...Option) int {
	e := &env{stdout: stdout, stderr: stderr}
	if err := newEnv(e, opts); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", e.program, err)
		return 2
	}
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		if len(args) == 1 {
			usage(stdout)
			return 0
		}
		args = []string{args[1], "--help"} // dflab help CMD: CMD's help
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "dflab: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	err := c.run(ctx, e, args[1:])
	switch {
	case err != nil && ctx.Err() != nil:
		// Stopped by a signal: whatever the command was doing was cut
		// short, which is neither a success nor a finding. (A command a
		// signal stops normally, such as worker, returns nil: exit 0.)
		fmt.Fprintf(stderr, "dflab %s: interrupted\n", args[0])
		return ExitInterrupted
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(stderr, "dflab %s: %v\n", args[0], err)
	return 1
}

// errUsage marks a flag error already printed with the command's usage.
var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprintln(w, "dflab: experiments with serverless workflow engines (Netherite, VLDB 2022)")
	fmt.Fprintln(w, "\nusage: dflab <command> [flags]   (dflab <command> --help for its flags)")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
}

// newFlags makes a flag set whose usage names the command and its arguments.
func newFlags(e *env, name, args, about string) *flag.FlagSet {
	fs := flag.NewFlagSet("dflab "+name, flag.ContinueOnError)
	fs.SetOutput(&flagOutput{stdout: e.stdout, stderr: e.stderr})
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: dflab %s %s\n\n%s\n\nflags:\n", name, args, strings.TrimSpace(about))
		fs.PrintDefaults()
	}
	return fs
}

// flagOutput holds what a flag set prints while it parses: the usage goes
// to stdout when it was asked for (-h, --help), and with the error to
// stderr when a flag was wrong.
type flagOutput struct {
	stdout, stderr io.Writer
	buf            bytes.Buffer
}

func (o *flagOutput) Write(p []byte) (int, error) { return o.buf.Write(p) }

// flush sends what was printed to stdout if help was asked, else stderr.
func (o *flagOutput) flush(help bool) {
	w := o.stderr
	if help {
		w = o.stdout
	}
	w.Write(o.buf.Bytes())
	o.buf.Reset()
}

// parse parses flags of a command that takes no arguments; help goes to
// stdout and is not an error.
func parse(fs *flag.FlagSet, args []string) error { return parseArgs(fs, args, 0) }

// parseArgs parses flags wherever they are, before or after the command's
// arguments (at most maxArgs; "--" ends the flags), so that a flag after
// an argument is honoured, never ignored. fs.Args() are the arguments.
func parseArgs(fs *flag.FlagSet, args []string, maxArgs int) error {
	var pos []string
	out, _ := fs.Output().(*flagOutput)
	for {
		err := fs.Parse(args)
		if out != nil {
			out.flush(errors.Is(err, flag.ErrHelp))
		}
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return errUsage
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
	if len(pos) > maxArgs {
		what := "only flags"
		if maxArgs > 0 {
			what = fmt.Sprintf("at most %d argument(s) besides its flags", maxArgs)
		}
		return fmt.Errorf("unexpected argument %q: %s takes %s", pos[maxArgs], fs.Name(), what)
	}
	// Leave the arguments in fs.Args(): parsing "--" then them sets nothing.
	return fs.Parse(append([]string{"--"}, pos...))
}
