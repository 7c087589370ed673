package calibrate

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/workloads/workload"
)

var inf = math.Inf(1)

// Files are the names Write uses in its directory, for a set named name.
func Files(name string) (set, csvReport, mdReport string) {
	return name + ".json", name + "-fit.csv", name + "-fit.md"
}

// CostsFile is the name of the measured step costs Write saves beside the
// set (calibrate --costs reads it back).
func CostsFile(name string) string { return name + "-costs.json" }

// LoadCosts reads step costs saved by Write.
func LoadCosts(data []byte) (map[string]Measurement, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m map[string]Measurement
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("calibrate: costs: %w", err)
	}
	for e, x := range m {
		if len(x.Us) == 0 {
			return nil, fmt.Errorf("calibrate: costs[%q]: no step costs (us)", e)
		}
		for k, v := range x.Us {
			if !(v >= 0) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("calibrate: costs[%q].us[%q] = %g, want a finite number >= 0", e, k, v)
			}
		}
	}
	return m, nil
}

// Write saves the fitted model set as JSON (loadable by sim.LoadModelSet)
// and the fit report as CSV and Markdown into dir. command is the command
// line that produced it, recorded in both.
func (o Output) Write(dir, command string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	m := *o.Models
	m.Note = fmt.Sprintf("fitted by `%s` to the paper's calibration set (paper-notes.md); "+
		"worst target off by %.2fx; report in %s", command, o.MaxRatio(), mdName(o))
	data, err := json.MarshalIndent(&m, "", "  ")
	if err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	costs, err := json.MarshalIndent(o.Measured, "", "  ")
	if err != nil {
		return fmt.Errorf("calibrate: %w", err)
	}
	setF, csvF, mdF := Files(o.Config.Name)
	files := map[string][]byte{setF: append(data, '\n'), csvF: o.csv(), mdF: []byte(o.Markdown(command)),
		CostsFile(o.Config.Name): append(costs, '\n')}
	for _, name := range workload.Keys(files) {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return fmt.Errorf("calibrate: %w", err)
		}
	}
	return nil
}

func mdName(o Output) string {
	_, _, md := Files(o.Config.Name)
	return md
}

// csv is target, unit, paper, dflab, ratio (dflab/paper) per target.
func (o Output) csv() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"target", "unit", "paper", "dflab", "ratio"})
	for i, t := range o.Targets {
		v := o.Fit.Values[i]
		_ = w.Write([]string{t.ID, t.Unit, fmt.Sprintf("%g", t.Paper), fmt.Sprintf("%.4g", v), fmt.Sprintf("%.3f", v/t.Paper)})
	}
	w.Flush()
	return b.Bytes()
}

// Markdown is the fit report: parameters, measured step costs and every
// target's paper value, dflab value and ratio.
func (o Output) Markdown(command string) string {
	var b strings.Builder
	c := o.Config
	fmt.Fprintf(&b, "# Model set %q: fit report\n\n", c.Name)
	fmt.Fprintf(&b, "Produced by `%s` in %.0f s wall. The fit minimises the sum over the %d calibration targets "+
		"(paper-notes.md, \"Calibration set\": single-node throughput and Hello3 latency) of ln(dflab/paper)², "+
		"with Nelder-Mead over the log of the parameters, the simulator in the loop. No other paper number was used.\n\n",
		command, o.Wall.Seconds(), len(o.Targets))
	baseline := "not run"
	if o.Baseline.Values != nil {
		baseline = fmt.Sprintf("%.3f", o.Baseline.Objective)
	}
	fmt.Fprintf(&b, "Objective %.3f after %d evaluations (%s; the uncalibrated default set scores %s); worst target off by %.2fx; %d of %d targets within ±25 %%. %s, seed %d.\n\n",
		o.Fit.Objective, o.Fit.Evals, o.Fit.Status, baseline, o.MaxRatio(), o.Within25(), len(o.Targets), c.Size.describe(), c.Seed)
	b.WriteString("## Fitted parameters\n\n| parameter | value | unit | allowed range | origin |\n|---|---|---|---|---|\n")
	for i, n := range ParamNames {
		pi := ParamInfos[i]
		edge := ""
		if v := o.Fit.Params[i]; v <= pi.Lo || v >= pi.Hi {
			edge = " — at the edge of its range: missing structure, not a fitted value"
		}
		fmt.Fprintf(&b, "| %s | %.4g | %s | %g..%g | fitted; range: %s%s |\n", n, o.Fit.Params[i], pi.Unit, pi.Lo, pi.Hi, pi.Why, edge)
	}
	b.WriteString("\ncpuFactor multiplies the step costs measured on this machine (below) into the simulator's CPU costs; " +
		"hostMs is added to every function invocation (" + strings.Join(HostKeys, ", ") + "); " +
		"the other *Ms are lognormal medians of storage op groups (blobs and leases take tableMs), sigma their common shape. " +
		entityBatchNote() + "\n")
	b.WriteString("\n## Parameters the fit holds\n\nEvery other parameter of the set and every knob of the engines the targets run, " +
		"from the model set and the systems' knob definitions: its value in the calibration runs, unit and origin.\n\n" +
		"| parameter | value | unit | origin |\n|---|---|---|---|\n")
	for _, d := range Documented(o.Models, o.Targets) {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", d.Name, mdCell(d.Value), mdCell(d.Unit), mdCell(d.Origin))
	}
	b.WriteString("\n")
	b.WriteString("## Engine step costs measured on this machine (µs, median of runs)\n\n| engine | step kind | µs | simulated ms |\n|---|---|---|---|\n")
	for _, e := range workload.Keys(o.Measured) {
		m := o.Measured[e]
		for _, k := range workload.Keys(m.Us) {
			fmt.Fprintf(&b, "| %s | %s | %.3g | %.3g |\n", e, k, m.Us[k], m.Us[k]/1e3*o.Params.CPUFactor)
		}
	}
	b.WriteString("\n## Targets\n\n| target | unit | paper | dflab | ratio | uncalibrated ratio |\n|---|---|---|---|---|---|\n")
	for i, t := range o.Targets {
		v := o.Fit.Values[i]
		base := "not run"
		if o.Baseline.Values != nil {
			base = fmt.Sprintf("%.2f", o.baselineAt(i)/t.Paper)
		}
		fmt.Fprintf(&b, "| %s | %s | %g | %.4g | %.2f | %s |\n", t.ID, t.Unit, t.Paper, v, v/t.Paper, base)
	}
	if o.Workflow.Evals > 0 {
		b.WriteString("\n" + o.Workflow.Markdown(command))
	}
	return b.String()
}

// entityBatchNote says how an entity batch is charged (EntityBatchIsEpisode).
func entityBatchNote() string {
	if !EntityBatchIsEpisode {
		return ""
	}
	return "A " + EntityBatchEngine + " entity batch (" + EntityBatchKey + ") costs the measured " + EpisodeKey + " × cpuFactor: it is an orchestration work item of the entity's scheduler orchestration (held parameter " + EntityBatchEngine + ".entityBatchIsEpisode)."
}

// mdCell escapes the pipes of a Markdown table cell.
func mdCell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

// capLimits is a cap's limits as text.
func capLimits(c sim.Cap) string {
	var parts []string
	if c.ReqPerSec > 0 {
		parts = append(parts, fmt.Sprintf("%g req/s", c.ReqPerSec))
	}
	if c.UnitsPerSec > 0 {
		parts = append(parts, fmt.Sprintf("%g units/s", c.UnitsPerSec))
	}
	if c.MBPerSec > 0 {
		parts = append(parts, fmt.Sprintf("%g MB/s", c.MBPerSec))
	}
	return strings.Join(parts, ", ")
}

// Within25 is how many targets are within ±25 % of the paper.
func (o Output) Within25() int {
	n := 0
	for i, t := range o.Targets {
		if r := o.Fit.Values[i] / t.Paper; r >= 0.75 && r <= 1.25 {
			n++
		}
	}
	return n
}

func (o Output) baselineAt(i int) float64 {
	if i < len(o.Baseline.Values) {
		return o.Baseline.Values[i]
	}
	return 0
}
