package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"text/tabwriter"
	"time"
)

// config is what one run measures.
type config struct {
	counts   map[string]int // instances per configuration in the throughput batch
	callers  int            // concurrent callers in the throughput batch
	latencyN map[string]int // instances per configuration run one at a time for latency
	only     string         // one configuration's name, "" for all
}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench-peers:", err)
		os.Exit(1)
	}
}

func run(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("bench-peers", flag.ContinueOnError)
	n := fs.Int("n", 10000, "Hello5 instances in dflab's throughput batches")
	dtN := fs.Int("dtgo-n", 1000, "instances in durabletask-go's in-memory SQLite batch")
	dtFileN := fs.Int("dtgo-file-n", 100, "instances in durabletask-go's file SQLite batch")
	callers := fs.Int("callers", 64, "concurrent callers in a throughput batch (closed load)")
	latN := fs.Int("latency-n", 200, "instances run one at a time for dflab's p50/p99")
	dtLatN := fs.Int("dtgo-latency-n", 20, "instances run one at a time for durabletask-go's p50/p99 (each takes its poll interval)")
	only := fs.String("only", "", "run only this configuration")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for name, v := range map[string]int{"-n": *n, "-dtgo-n": *dtN, "-dtgo-file-n": *dtFileN,
		"-callers": *callers, "-latency-n": *latN, "-dtgo-latency-n": *dtLatN} {
		if v < 1 {
			return fmt.Errorf("%s %d: want >= 1", name, v)
		}
	}
	if *only != "" {
		if _, err := peerByName(*only); err != nil {
			return fmt.Errorf("-only: %w", err)
		}
	}
	c := config{counts: map[string]int{peers[0].name: *dtN, peers[1].name: *dtFileN,
		peers[2].name: *n, peers[3].name: *n}, callers: *callers, only: *only,
		latencyN: map[string]int{peers[0].name: *dtLatN, peers[1].name: *dtLatN, peers[2].name: *latN, peers[3].name: *latN}}
	fmt.Fprintf(w, "command: %s\n", strings.TrimSpace("cd bench/peers/durabletask-go && go run . "+strings.Join(args, " ")))
	fmt.Fprintf(w, "machine: %s\n", machine())
	fmt.Fprintf(w, "versions: %s\n", versions())
	fmt.Fprintf(w, "load: throughput = closed load of %d callers (each starts a Hello5 and waits for it); "+
		"latency = instances one at a time (%d for durabletask-go, %d for dflab); CPU = the whole process's user+sys per orchestration\n\n",
		c.callers, *dtLatN, *latN)
	return compare(context.Background(), c, w)
}

// row is one configuration's throughput and latency figures.
type row struct {
	name string
	tput result
	lat  result
}

func compare(ctx context.Context, c config, w io.Writer) error {
	var rows []row
	for _, p := range peers {
		if c.only != "" && p.name != c.only {
			continue
		}
		r, err := measurePeer(ctx, p, c)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		rows = append(rows, r)
	}
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "configuration\tinstances\torch/s\tCPU µs/orch\tallocs/orch\tp50 ms\tp99 ms\torch/s ×\tp50 faster ×\t")
	base := rows[0]
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%.0f\t%.2f\t%.2f\t%.3g\t%.3g\t\n", r.name, r.tput.n,
			r.tput.orchPerSec, float64(r.tput.cpuPerOrch.Microseconds()), r.tput.allocs,
			ms(r.lat.p50), ms(r.lat.p99), r.tput.orchPerSec/base.tput.orchPerSec,
			ms(base.lat.p50)/ms(r.lat.p50))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n× columns: against %s (orch/s ×: this orch/s over its; p50 faster ×: its p50 over this p50)\n", base.name)
	return nil
}

func measurePeer(ctx context.Context, p peer, c config) (row, error) {
	dir, cleanup, err := tempDir()
	if err != nil {
		return row{}, err
	}
	defer cleanup()
	r, err := p.start(ctx, dir)
	if err != nil {
		return row{}, err
	}
	out := row{name: p.name}
	// A short warm-up so that start-up costs stay out of both batches.
	if _, err = measure(ctx, r, "warm", 10, 1); err == nil {
		out.lat, err = measure(ctx, r, "lat", c.latencyN[p.name], 1)
	}
	if err == nil {
		out.tput, err = measure(ctx, r, "tput", c.counts[p.name], c.callers)
	}
	return out, errors.Join(err, r.stop())
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// machine names the processor count and model, and GOMAXPROCS.
func machine() string {
	model := "unknown CPU model"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("nproc %d, %s, GOMAXPROCS %d, %s/%s", runtime.NumCPU(), model,
		runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
}

// versions names Go's and durabletask-go's versions from the build.
func versions() string {
	s := runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/microsoft/durabletask-go" || d.Path == "modernc.org/sqlite" {
				s += ", " + d.Path + " " + d.Version
			}
		}
	}
	return s
}
