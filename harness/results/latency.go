package results

import (
	"encoding/csv"
	"fmt"
	"io"
)

// LatencyColumnNames are the header of latency.csv: a configuration's
// identity (join summary.csv on config_id for the rest of its spec), then
// one latency histogram bucket of its repetitions merged.
var LatencyColumnNames = []string{"config_id", "name", "engine", "speculation", "workload", "nodes", "cores", "runs",
	"from_ms", "to_ms", "count", "fraction_le"}

// latencyColumnDocs are LatencyColumnNames' units and meanings, for the schema.
var latencyColumnDocs = [][3]string{
	{"config_id", "", "the configuration (as in summary.csv)"},
	{"name, engine, speculation, workload, nodes, cores", "", "as in summary.csv"},
	{"runs", "", "successful repetitions whose histograms are merged"},
	{"from_ms, to_ms", "ms", "the bucket's bounds (both included; 3 significant digits)"},
	{"count", "", "latencies in the bucket"},
	{"fraction_le", "fraction", "latencies at or below to_ms, over all of the configuration's: the CDF"},
}

// WriteLatencyCSV writes, per configuration with latencies, every bucket
// of its repetitions' merged HDR histogram that holds a latency: the
// full distribution, from which a CDF or CCDF is drawn without the
// percentile steps of the JSONL row's cdf field.
func WriteLatencyCSV(w io.Writer, rows []Row) error {
	groups, err := Groups(rows)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(LatencyColumnNames); err != nil {
		return fmt.Errorf("results: latency csv: %w", err)
	}
	for _, g := range groups {
		l, err := g.Latency()
		if err != nil {
			return fmt.Errorf("results: latency csv %s: %w", g.ConfigID, err)
		}
		total := l.Count()
		probe := Row{ConfigID: g.ConfigID, Spec: g.Spec}
		id := []string{g.ConfigID, g.Spec.Name, g.Spec.Engine.Name, specValue("speculation", probe), g.Spec.Workload.Name,
			itoa(g.Spec.Cluster.Nodes), itoa(g.Spec.Cluster.Cores), itoa(len(g.Runs))}
		var cum int64
		for _, b := range l.Buckets() {
			cum += b.Count
			rec := append(append([]string(nil), id...), f64(b.FromMs), f64(b.ToMs), i64(b.Count), f64(float64(cum)/float64(total)))
			if err := cw.Write(rec); err != nil {
				return fmt.Errorf("results: latency csv %s: %w", g.ConfigID, err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("results: latency csv: %w", err)
	}
	return nil
}

// specValue is the value of the spec column named name for r.
func specValue(name string, r Row) string {
	for _, c := range SpecColumns {
		if c.Name == name {
			return c.Value(r)
		}
	}
	return ""
}
