package results

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/dflab/dflab/harness/metrics"
	"github.com/dflab/dflab/harness/spec"
)

// Column is one flat CSV column: its name, unit ("" when none), meaning
// and how to read it from a row. Absent values are empty cells.
type Column struct {
	Name  string
	Unit  string
	Doc   string
	Value func(Row) string
}

func f64(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
func i64(v int64) string   { return strconv.FormatInt(v, 10) }
func itoa(v int) string    { return strconv.Itoa(v) }

// knob reads a knob of one engine, empty for the other engines.
func knob(engine, name string) func(Row) string {
	return func(r Row) string {
		if r.Spec.Engine.Name != engine {
			return ""
		}
		return r.Spec.Engine.Knob(name)
	}
}

// seconds reads a duration knob of one engine in seconds.
func seconds(engine, name string) func(Row) string {
	return func(r Row) string {
		d, err := time.ParseDuration(knob(engine, name)(r))
		if err != nil {
			return ""
		}
		return f64(d.Seconds())
	}
}

// SpecColumns describe the configuration of a run.
var SpecColumns = []Column{
	{"config_id", "", "hash of the resolved spec; repetitions of one configuration share it", func(r Row) string { return r.ConfigID }},
	{"name", "", "the spec's free label (e.g. fig9/hello5)", func(r Row) string { return r.Spec.Name }},
	{"engine", "", "netherite or original", func(r Row) string { return r.Spec.Engine.Name }},
	{"backend", "", "sim, disk, azure or nats", func(r Row) string { return r.Spec.Backend.Kind }},
	{"models", "", "simulator model set (backend sim only)", func(r Row) string { return r.Spec.Backend.Models }},
	{"models_sha256", "", "sha256 of the model set's canonical JSON (backend sim only)", func(r Row) string { return r.ModelsHash }},
	{"nodes", "", "application nodes", func(r Row) string { return itoa(r.Spec.Cluster.Nodes) }},
	{"cores", "", "cores per node", func(r Row) string { return itoa(r.Spec.Cluster.Cores) }},
	{"workload", "", "workload name (hello3, hello5, sequence, bank, wordcount, collision, imagerec)", func(r Row) string { return r.Spec.Workload.Name }},
	{"workload_params", "", "workload parameters as compact JSON", func(r Row) string { return string(r.Spec.Workload.Params) }},
	{"load_kind", "", "closed (all instances at once) or open (a rate for a duration)", func(r Row) string { return r.Spec.Load.Kind }},
	{"instances", "", "instances started (closed load)", func(r Row) string { return zeroEmpty(r.Spec.Load.Instances) }},
	{"rate_per_s", "1/s", "arrival rate (open load)", func(r Row) string { return zeroEmptyF(r.Spec.Load.RatePerSec) }},
	{"duration_s", "s", "arrival duration (open load)", func(r Row) string { return zeroEmptyF(r.Spec.Load.Duration.D().Seconds()) }},
	{"spacing", "", "poisson or fixed (open load)", func(r Row) string { return r.Spec.Load.Spacing }},
	{"faults", "", "the fault plan text", func(r Row) string { return r.Spec.Faults }},
	{"partitions", "", "Netherite partitions", knob(spec.EngineNetherite, "partitions")},
	{"speculation", "", "Netherite speculation: none, local or global", knob(spec.EngineNetherite, "speculation")},
	{"max_activities", "", "Netherite activities per partition at once", knob(spec.EngineNetherite, "maxActivities")},
	{"checkpoint_log_bytes", "bytes", "Netherite checkpoint threshold: log bytes", knob(spec.EngineNetherite, "checkpoint.logBytes")},
	{"checkpoint_events", "", "Netherite checkpoint threshold: events (-1: off)", knob(spec.EngineNetherite, "checkpoint.events")},
	{"checkpoint_idle_s", "s", "Netherite checkpoint threshold: idle time", seconds(spec.EngineNetherite, "checkpoint.idle")},
	{"control_queues", "", "original engine control queues", knob(spec.EngineOriginal, "controlQueues")},
	{"extended_sessions", "", "original engine extended sessions (true/false)", knob(spec.EngineOriginal, "extendedSessions")},
	{"max_concurrent_activities", "", "original engine activities per worker at once", knob(spec.EngineOriginal, "maxConcurrentActivities")},
	{"chain_host", "", "trigger chains: the Functions host whose queue-listener defaults apply (current or 2020)", func(r Row) string {
		if r.Spec.Engine.Name != "queuechain" && r.Spec.Engine.Name != "blobchain" {
			return ""
		}
		return r.Spec.Engine.Knob("host")
	}},
}

func zeroEmpty(v int) string {
	if v == 0 {
		return ""
	}
	return itoa(v)
}

func zeroEmptyF(v float64) string {
	if v == 0 {
		return ""
	}
	return f64(v)
}

// RunColumns are the columns of the per-run CSV.
func RunColumns() []Column {
	cols := []Column{{"run_id", "", "config_id, then -r and the repetition number", func(r Row) string { return r.RunID }}}
	cols = append(cols, SpecColumns...)
	cols = append(cols, []Column{
		{"repetition", "", "repetition number, from 0", func(r Row) string { return itoa(r.Repetition) }},
		{"seed", "", "this repetition's seed", func(r Row) string { return strconv.FormatUint(r.Seed, 10) }},
	}...)
	cols = append(cols, metricColumns...)
	cols = append(cols, portColumns()...)
	return append(cols, provenanceColumns...)
}

var metricColumns = []Column{
	{"clock", "", "virtual (simulator) or wall (real backends): never compare across", func(r Row) string { return string(r.Metrics.Clock) }},
	{"unit", "", "the work unit (orchestrations, transactions, words, 1e9 numbers)", func(r Row) string { return r.Metrics.Unit }},
	{"completed", "", "instances completed", func(r Row) string { return i64(r.Metrics.Completed) }},
	{"failed", "", "instances failed", func(r Row) string { return i64(r.Metrics.Failed) }},
	{"work_units", "units", "work units of the completed instances", func(r Row) string { return f64(r.Metrics.WorkUnits) }},
	{"first_start_ms", "ms", "earliest instance start since the run began", func(r Row) string { return f64(r.Metrics.FirstStartMs) }},
	{"last_completion_ms", "ms", "latest instance completion since the run began", func(r Row) string { return f64(r.Metrics.LastCompletionMs) }},
	{"throughput_per_s", "units/s", "work_units / (last_completion − first_start), as the paper", func(r Row) string { return f64(r.Metrics.ThroughputPerSec) }},
	{"latency_count", "", "latencies recorded", func(r Row) string { return i64(r.Metrics.Latency.Count) }},
	{"latency_mean_ms", "ms", "mean instance latency (start to completion)", func(r Row) string { return f64(r.Metrics.Latency.MeanMs) }},
	{"latency_p25_ms", "ms", "25th percentile latency", func(r Row) string { return f64(r.Metrics.Latency.P25Ms) }},
	{"latency_p50_ms", "ms", "median latency", func(r Row) string { return f64(r.Metrics.Latency.P50Ms) }},
	{"latency_p90_ms", "ms", "90th percentile latency", func(r Row) string { return f64(r.Metrics.Latency.P90Ms) }},
	{"latency_p99_ms", "ms", "99th percentile latency", func(r Row) string { return f64(r.Metrics.Latency.P99Ms) }},
	{"latency_max_ms", "ms", "maximum latency", func(r Row) string { return f64(r.Metrics.Latency.MaxMs) }},
	{"storage_requests", "", "storage requests of every kind (stream appends included)", func(r Row) string { return i64(r.Metrics.Storage.Total.Requests) }},
	{"storage_errors", "", "storage requests that failed", func(r Row) string { return i64(r.Metrics.Storage.Total.Errors) }},
	{"stream_events", "", "Event Hubs ingress events (one per started 64 KiB of a record)", func(r Row) string { return i64(r.Metrics.Storage.Total.Events) }},
	{"mb_read", "MB", "megabytes (10^6 bytes) read from storage", func(r Row) string { return f64(r.Metrics.Storage.Total.MBRead) }},
	{"mb_written", "MB", "megabytes (10^6 bytes) written to storage", func(r Row) string { return f64(r.Metrics.Storage.Total.MBWritten) }},
	{"price_list", "", "the price list the cost was computed with", costCol(func(c metrics.Cost) string { return c.PriceList })},
	{"dollars", "USD", "storage and Event Hubs cost of the run", costCol(func(c metrics.Cost) string { return f64(c.Dollars) })},
	{"dollars_per_1000_units", "USD", "cost per 1,000 work units", costCol(func(c metrics.Cost) string { return f64(c.DollarsPer1000Units) })},
	{"cpu_busy_mean", "fraction", "mean over nodes of CPU busy / (cores × elapsed)", cpuCol(false)},
	{"cpu_busy_max", "fraction", "max over nodes of CPU busy fraction", cpuCol(true)},
	{"bound_resource", "", "the busiest simulated resource, \"kind name\" (cpu node0, core node0/p03, activity-slots node1, cap <cap> <target>)", boundCol(func(b metrics.Resource) string { return b.String() })},
	{"bound_utilisation", "fraction", "that resource's utilisation over the run", boundCol(func(b metrics.Resource) string { return f64(b.Utilisation) })},
	{"util_cpu_max", "fraction", "busiest node's CPU utilisation (simulator)", kindCol("cpu")},
	{"util_core_max", "fraction", "busiest engine core's own-thread utilisation (a partition, a dispatcher)", kindCol("core")},
	{"util_activity_slots_max", "fraction", "busiest node's activity-slot utilisation", kindCol("activity-slots")},
	{"util_cap_max", "fraction", "busiest throughput cap's utilisation", kindCol("cap")},
	{"cluster_workers", "", "worker processes seen by a cluster run's load process (empty otherwise)", func(r Row) string {
		if r.Metrics.Cluster == nil {
			return ""
		}
		return itoa(r.Metrics.Cluster.Workers)
	}},
	{"cluster_placements", "", "placements (shapes) a cluster run went through (empty otherwise)", func(r Row) string {
		if r.Metrics.Cluster == nil {
			return ""
		}
		return itoa(len(r.Metrics.Cluster.Placement))
	}},
	{"recoveries", "", "faults recovered from", func(r Row) string { return itoa(len(r.Metrics.Recovery)) }},
	{"recovery_max_ms", "ms", "longest recovery time", recoveryMax},
	{"events", "", "simulator events processed (empty on real backends)", func(r Row) string { return zeroEmpty64(r.Metrics.Events) }},
}

var provenanceColumns = []Column{
	{"wall_time_s", "s", "wall-clock time the run took", func(r Row) string { return f64(r.WallTimeSec) }},
	{"started_at", "", "wall-clock start, RFC 3339 UTC", func(r Row) string { return r.StartedAt }},
	{"git_revision", "", "git revision the dflab binary was built from (-dirty: a modified tree), or unknown", func(r Row) string { return r.GitRevision }},
	{"dflab_version", "", "dflab version", func(r Row) string { return r.Version }},
	{"error", "", "why the run failed (empty: it succeeded)", func(r Row) string { return r.Error }},
}

// portColumns are requests and MB per storage port.
func portColumns() []Column {
	var cols []Column
	for _, p := range metrics.Ports {
		cols = append(cols,
			Column{"requests_" + p, "", "requests to the " + p + " port", func(r Row) string { return i64(r.Metrics.Storage.Port(p).Requests) }},
			Column{"mb_read_" + p, "MB", "megabytes read through the " + p + " port", func(r Row) string { return f64(r.Metrics.Storage.Port(p).MBRead) }},
			Column{"mb_written_" + p, "MB", "megabytes written through the " + p + " port", func(r Row) string { return f64(r.Metrics.Storage.Port(p).MBWritten) }})
	}
	return cols
}

func zeroEmpty64(v int64) string {
	if v == 0 {
		return ""
	}
	return i64(v)
}

func costCol(f func(metrics.Cost) string) func(Row) string {
	return func(r Row) string {
		if r.Metrics.Cost == nil {
			return ""
		}
		return f(*r.Metrics.Cost)
	}
}

func cpuCol(maxOf bool) func(Row) string {
	return func(r Row) string {
		cpu := r.Metrics.CPU
		if len(cpu) == 0 {
			return ""
		}
		agg := 0.0
		for _, c := range cpu {
			if maxOf {
				agg = max(agg, c.BusyFraction)
			} else {
				agg += c.BusyFraction / float64(len(cpu))
			}
		}
		return f64(agg)
	}
}

func boundCol(f func(metrics.Resource) string) func(Row) string {
	return func(r Row) string {
		if r.Metrics.Bound == nil {
			return ""
		}
		return f(*r.Metrics.Bound)
	}
}

func kindCol(kind string) func(Row) string {
	return func(r Row) string {
		for _, x := range r.Metrics.Resources {
			if x.Kind == kind {
				return f64(x.Utilisation)
			}
		}
		return ""
	}
}

func recoveryMax(r Row) string {
	if len(r.Metrics.Recovery) == 0 {
		return ""
	}
	m := 0.0
	for _, x := range r.Metrics.Recovery {
		m = max(m, x.RecoveryMs)
	}
	return f64(m)
}

// WriteRunsCSV writes one CSV row per run with RunColumns.
func WriteRunsCSV(w io.Writer, rows []Row) error {
	cols := RunColumns()
	cw := csv.NewWriter(w)
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.Name
	}
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("results: csv: %w", err)
	}
	for _, r := range rows {
		rec := make([]string, len(cols))
		for i, c := range cols {
			rec[i] = c.Value(r)
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("results: csv row %s: %w", r.RunID, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("results: csv: %w", err)
	}
	return nil
}
