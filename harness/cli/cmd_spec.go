package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/dflab/dflab/harness"
	"github.com/dflab/dflab/harness/results"
)

var readAll = io.ReadAll

func cmdSpec(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "spec", "[--spec FILE | FILE] [flags]", `
Validates an experiment spec, built from a JSON file and/or flags, and
prints the fully resolved spec (every default filled) as JSON: exactly what
a run would save with its results. Bad fields are reported with their JSON
path and the allowed values. The spec is checked exactly as dflab run
checks it before running (harness.Check): workload parameters, model set,
fault plan and whether the engine runs on the backend.`)
	var sf specFlags
	sf.register(fs)
	if err := parseArgs(fs, args, 1); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		if sf.file != "" {
			return fmt.Errorf("spec file given twice: --spec %s and %s", sf.file, fs.Arg(0))
		}
		sf.file = fs.Arg(0) // dflab spec FILE works too
	}
	s, err := sf.build(e.catalog)
	if err != nil {
		return err
	}
	if s, err = harness.Check(e.registry, s); err != nil {
		return err
	}
	data, err := s.JSON()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(e.stdout, "%s\n", data)
	return err
}

func cmdSchema(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "schema", "", "Prints the results schema: every JSONL field and CSV column with its unit.")
	if err := parse(fs, args); err != nil {
		return err
	}
	_, err := io.WriteString(e.stdout, results.SchemaMarkdown())
	return err
}
