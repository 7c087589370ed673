package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
)

func cmdSystems(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "systems", "", `
Lists the systems (engines) and workloads this program serves, the
built-in ones and those its main registered (cli.WithEngine,
cli.WithWorkload): each system's knobs with their kind, default and
meaning (set them with --knob NAME=VALUE, in specs as
engine.<system>.<name>, in golden scripts as name=value), its fault
targets and planted bugs.`)
	if err := parse(fs, args); err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, s := range e.catalog.SystemsOf().All() {
		fmt.Fprintf(w, "system %s\t%s\n", s.Name, s.Summary)
		for _, k := range s.Knobs {
			only := ""
			if k.Only != "" {
				only = " (" + k.Only + " only)"
			}
			kind := k.Kind.String()
			if len(k.Allowed) > 0 {
				kind = strings.Join(k.Allowed, "|")
			}
			fmt.Fprintf(w, "  %s\t%s\tdefault %s\t%s%s\n", k.Name, kind, orNone(k.Default), k.Doc, only)
		}
		var kinds []string
		for _, k := range s.Faults.Kinds {
			kinds = append(kinds, string(k))
		}
		fmt.Fprintf(w, "  faults: crash, restart, storage faults%s\n", prefixed(", ", kinds))
		if s.Workloads != nil {
			fmt.Fprintf(w, "  workloads: %s only\n", strings.Join(s.Workloads, ", "))
		}
		if len(s.Planted) > 0 {
			fmt.Fprintf(w, "  planted bugs: %s\n", strings.Join(s.Planted, ", "))
		}
	}
	for _, f := range e.catalog.WorkloadsOf().All() {
		fmt.Fprintf(w, "workload %s\t%s\n", f.Name, f.Summary)
	}
	return w.Flush()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func prefixed(sep string, list []string) string {
	if len(list) == 0 {
		return ""
	}
	return sep + strings.Join(list, sep)
}
