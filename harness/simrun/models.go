package simrun

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/workloads/workload"
)

// Model set names.
const (
	// ModelsPaper2022 is the set fitted by `dflab calibrate` to the
	// paper's calibration set (models/paper2022.json, with its fit report
	// beside it).
	ModelsPaper2022 = "paper2022"
	// ModelsPaper2022b is the same fit with the simulated cloud's structure
	// (sim/doc.go): the Functions host's worker threads, slots and
	// background CPU, and the original engine's wake on enqueue
	// (models/paper2022b.json and its fit report).
	ModelsPaper2022b = "paper2022b"
	// ModelsPaper2022c is the fit with the services' throughput limits
	// besides: Azure Storage scalability targets (calibrate.PaperCaps),
	// Event Hubs throughput units per workload (Netherite's knob
	// eventHubs.throughputUnits) and the original engine's activities per
	// core (models/paper2022c.json and its fit report).
	ModelsPaper2022c = "paper2022c"
	// ModelsPaper2022d is the refit after the structure of issue 15's
	// fidelity pass: the services' caps meter with token buckets (a
	// second's budget), speculation none parks only a step's result, and
	// Hello3 latency ends at the engine's record of the last update
	// (models/paper2022d.json and its fit report, written entirely by
	// dflab calibrate).
	ModelsPaper2022d = "paper2022d"
	// ModelsDefault is the scenario suite's small plausible set
	// (sim.DefaultModels), never calibrated. The default of
	// spec.backend.models is paper2022d (spec.DefaultModels).
	ModelsDefault = "default"
)

//go:embed models/*.json
var modelFiles embed.FS

// modelSets are the simulator's named model sets (spec.backend.models).
// Results name the set that ran.
var modelSets = map[string]func() (*sim.ModelSet, error){
	ModelsPaper2022:  func() (*sim.ModelSet, error) { return withSQL(EmbeddedModelSet(ModelsPaper2022)) },
	ModelsPaper2022b: func() (*sim.ModelSet, error) { return withSQL(EmbeddedModelSet(ModelsPaper2022b)) },
	ModelsPaper2022c: func() (*sim.ModelSet, error) { return withSQL(EmbeddedModelSet(ModelsPaper2022c)) },
	ModelsPaper2022d: func() (*sim.ModelSet, error) { return withSQL(EmbeddedModelSet(ModelsPaper2022d)) },
	ModelsDefault:    func() (*sim.ModelSet, error) { return sim.DefaultModels(), nil },
}

// EmbeddedModelSet loads and validates the committed model set
// models/<name>.json.
func EmbeddedModelSet(name string) (*sim.ModelSet, error) {
	data, err := modelFiles.ReadFile("models/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("model set %q: %w", name, err)
	}
	return sim.LoadModelSet(data)
}

// ModelsSQL is the sql engine's database model (models/sqldb.json, fitted
// by `dflab calibrate --sql` to the provider's scaling table, with its fit
// report beside it): a part, not a set, that every calibrated set gets.
const ModelsSQL = "sqldb"

// withSQL adds the sql engine's part to a calibrated set.
func withSQL(m *sim.ModelSet, err error) (*sim.ModelSet, error) {
	if err != nil {
		return nil, err
	}
	part, err := EmbeddedModelSet(ModelsSQL)
	if err != nil {
		return nil, err
	}
	return m.With(part), nil
}

// ModelSets returns the names of the known model sets, sorted.
func ModelSets() []string {
	out := make([]string, 0, len(modelSets))
	for n := range modelSets {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// ModelSet returns a fresh copy of a named model set.
func ModelSet(name string) (*sim.ModelSet, error) {
	mk, ok := modelSets[name]
	if !ok {
		return nil, fmt.Errorf("spec.backend.models = %q: allowed: %s", name, strings.Join(ModelSets(), ", "))
	}
	return mk()
}

// ModelSetHash is the content hash of the named model set: the sha256, in
// hex, of its canonical JSON (encoding/json of the loaded set: fields in
// declaration order, map keys sorted). Results record it beside the name,
// so two sets of the same name are told apart.
func ModelSetHash(name string) (string, error) {
	m, err := ModelSet(name)
	if err != nil {
		return "", err
	}
	return HashModelSet(m)
}

// HashModelSet is the sha256 (hex) of m's canonical JSON.
func HashModelSet(m *sim.ModelSet) (string, error) {
	data, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("model set %q: hash: %w", m.Name, err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// modelsFor returns the model set of a run: given (if not nil) or the named
// one, with engine's CPU costs applied and the workload's activity CPU
// costs merged in (they override the set's).
func modelsFor(name, engine string, given *sim.ModelSet, cost workload.CostModel) (*sim.ModelSet, error) {
	m := given
	if m == nil {
		var err error
		if m, err = ModelSet(name); err != nil {
			return nil, err
		}
	}
	m = m.ForEngine(engine)
	sim := cost.SimCostsMs()
	for _, k := range workload.Keys(sim) {
		m.CPU.CostsMs[k] = rng.Const(sim[k])
	}
	if len(cost.RemoteMs) > 0 {
		waits := make(map[string]rng.Dist, len(m.ActivityWaitMs)+len(cost.RemoteMs))
		for k, v := range m.ActivityWaitMs {
			waits[k] = v
		}
		for _, k := range workload.Keys(cost.RemoteMs) {
			waits[k] = rng.Const(cost.RemoteMs[k])
		}
		m.ActivityWaitMs = waits
	}
	return m, nil
}
