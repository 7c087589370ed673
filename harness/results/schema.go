package results

import (
	"fmt"
	"strings"
)

// SchemaMarkdown is the schema document of the results folder: the JSONL
// row fields, the per-run CSV columns and the summary CSV columns, each
// with its unit and meaning. It is generated from the same column tables
// the writers use, so it cannot drift from them.
func SchemaMarkdown() string {
	var b strings.Builder
	b.WriteString(schemaIntro)
	b.WriteString("\n## runs.jsonl: one JSON object per line, one line per run\n\n")
	b.WriteString("| field | meaning |\n|---|---|\n")
	for _, f := range jsonlFields {
		fmt.Fprintf(&b, "| `%s` | %s |\n", f[0], f[1])
	}
	b.WriteString("\n## runs.csv: one row per run\n\n")
	writeColumns(&b, RunColumns())
	b.WriteString("\n## summary.csv: one row per configuration (repetitions pooled)\n\n")
	b.WriteString("The spec columns of runs.csv (`config_id` … `max_concurrent_activities`), then:\n\n")
	b.WriteString("| column | unit | meaning |\n|---|---|---|\n")
	b.WriteString("| `runs` | | successful repetitions |\n| `failed_runs` | | repetitions that ended in an error (excluded) |\n")
	b.WriteString("| `clock` | | virtual or wall |\n| `unit` | | the work unit |\n")
	for _, m := range SummaryMetrics {
		fmt.Fprintf(&b, "| `%s_mean` | %s | mean over runs of %s |\n", m.Name, m.Unit, m.Doc)
		fmt.Fprintf(&b, "| `%s_sd` | %s | sample standard deviation (empty with one run) |\n", m.Name, m.Unit)
		fmt.Fprintf(&b, "| `%s_ci95_low`, `%s_ci95_high` | %s | 95%% confidence interval of the mean, Student's t with runs−1 degrees of freedom (empty with one run) |\n", m.Name, m.Name, m.Unit)
	}
	b.WriteString("\n## latency.csv: the latency distribution per configuration (figures with latency CDFs)\n\n")
	b.WriteString("Every bucket of the configuration's repetitions' merged HDR histogram that holds a latency, in order:\n\n")
	b.WriteString("| column | unit | meaning |\n|---|---|---|\n")
	for _, c := range latencyColumnDocs {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", strings.ReplaceAll(c[0], ", ", "`, `"), c[1], c[2])
	}
	return b.String()
}

func writeColumns(b *strings.Builder, cols []Column) {
	b.WriteString("| column | unit | meaning |\n|---|---|---|\n")
	for _, c := range cols {
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", c.Name, c.Unit, c.Doc)
	}
}

const schemaIntro = `# dflab results

Every run writes one JSONL row (the full record) and the CSV tables are
flat views of the same rows for pandas (` + "`pd.read_csv`" + `). Metrics carry a
clock: "virtual" for the simulator's virtual time, "wall" for real backends;
the two are never comparable. Throughput is work units / (latest completion
− earliest start), as in the Netherite paper. MB are 10^6 bytes. Empty CSV
cells mean "not applicable" (another engine's knob, no cost computed, one
repetition so no deviation).
`

var jsonlFields = [][2]string{
	{"schema", "row format, `" + Schema + "`"},
	{"runId", "configId, then `-r` and the repetition number"},
	{"configId", "12 hex digits of SHA-256 of the resolved spec's JSON"},
	{"spec", "the fully resolved experiment spec (every default filled), as `dflab spec` prints it"},
	{"repetition", "repetition number, from 0"},
	{"seed", "this repetition's seed: spec.seed + repetition"},
	{"gitRevision", "the git revision the dflab binary was built from (its build info), with `-dirty` if the tree had uncommitted changes, or `unknown`"},
	{"modelsHash", "sha256 (hex) of the simulator model set's canonical JSON (backend sim only): two sets of one name differ here"},
	{"dflabVersion", "dflab version"},
	{"startedAt", "wall-clock start, RFC 3339 UTC"},
	{"wallTimeSec", "wall-clock seconds the run took"},
	{"metrics.clock", "virtual or wall"},
	{"metrics.unit", "work unit name"},
	{"metrics.completed, metrics.failed", "instances completed and failed"},
	{"metrics.workUnits", "work units of completed instances"},
	{"metrics.firstStartMs, metrics.lastCompletionMs", "throughput interval bounds, ms since the run began"},
	{"metrics.throughputPerSec", "workUnits / (lastCompletion − firstStart)"},
	{"metrics.latency", "count, meanMs, p25Ms, p50Ms, p90Ms, p99Ms, maxMs, clamped (above 24 h), cdf ([{ms, fraction}] at percentile steps; every bucket is in the histogram and latency.csv), histogram (HdrHistogram V2 compressed, base64; µs)"},
	{"metrics.storage", "kinds ([{kind, port, requests, errors, events, mbRead, mbWritten}]), ports (the same per port), total, raw (the backends/meter snapshot with exact bytes)"},
	{"metrics.cost", "priceList, dollars, dollarsPer1000Units, bill (backends/meter Bill: byClass, requests, tuHours, dollars)"},
	{"metrics.cpu", "[{node, cores, busyMs, busyFraction}]"},
	{"metrics.resources", "[{kind, name, utilisation}]: the busiest simulated resource of each kind (cpu, core, activity-slots, cap)"},
	{"metrics.bound", "{kind, name, utilisation}: the busiest of metrics.resources, the resource that bound the run"},
	{"metrics.recovery", "[{fault, atMs, recoveryMs, measure, detail}]: per timed fault, until throughput is back to 90% (no measure) or, measure takeover, until the partitions of a node that crashed for good run on other nodes (detail: which went where), or, measure placement (cluster runs), from a kill -9 of a worker by the plan (or from the first shape without a worker that left otherwise) until every partition it hosted runs again (hosted, lease held, state recovered) on another worker or a new life of it; resolution: the load's sampling period"},
	{"metrics.cluster", "{workers, cores: {worker: cores}, placement: [{atMs, hosts: {worker: [partition]}}]}: the worker processes a cluster run's load process measured (dflab load only)"},
	{"metrics.timeline", "[{startMs, completed, throughputPerSec, latencyP50Ms, latencyP99Ms}] per fixed window"},
	{"metrics.events", "simulator events processed"},
	{"error", "why the run failed; absent when it succeeded"},
}
