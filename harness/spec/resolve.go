package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/dflab/dflab/workloads"
)

// Defaults of the fields Resolve fills.
const (
	DefaultBackend       = BackendSim // the embedded default: no services
	DefaultModels        = "paper2022d"
	DefaultConnectionEnv = "DFLAB_AZURE_CONNECTION"
	DefaultInstances     = 1000 // of a workload the registry does not know
	DefaultTimeLimit     = Duration(10 * time.Minute)
	MaxTimeLimit         = Duration(1000 * time.Hour)
	DefaultSpacing       = "poisson"
	DefaultSeed          = 1
)

// Resolve fills every default and validates the result against the
// built-in systems and workloads (ResolveIn). The resolved spec is what
// runs and what is saved with every result; resolving it again changes
// nothing.
func (s Spec) Resolve() (Spec, error) { return s.ResolveIn(Catalog{}) }

// ResolveIn is Resolve with a catalog: the engine's knob defaults are its
// system descriptor's (those the spec's runner honours).
func (s Spec) ResolveIn(c Catalog) (Spec, error) {
	r := s
	r.Version = Version
	if r.Repetitions == 0 {
		r.Repetitions = 1
	}
	if r.Seed == 0 {
		r.Seed = DefaultSeed
	}
	r.Backend = resolveBackend(r.Backend)
	var err error
	if r.Engine, err = resolveEngine(r.Engine, r.Backend.Kind, c); err != nil {
		return Spec{}, err
	}
	if r.Cluster.Nodes == 0 {
		r.Cluster.Nodes = 1
	}
	if r.Cluster.Cores == 0 {
		r.Cluster.Cores = 1
	}
	r.Load = resolveLoad(r.Load, r.Workload.Name)
	if len(r.Workload.Params) > 0 {
		var buf bytes.Buffer // canonical (compact) form, so resolving twice is a no-op
		if err := json.Compact(&buf, r.Workload.Params); err != nil {
			return Spec{}, fmt.Errorf("%s.workload.params: %w", Root, err)
		}
		r.Workload.Params = buf.Bytes()
	}
	if err := r.ValidateIn(c); err != nil {
		return Spec{}, err
	}
	return r, nil
}

func resolveBackend(b Backend) Backend {
	b.Kind = orStr(b.Kind, DefaultBackend)
	switch b.Kind {
	case BackendSim:
		b.Models = orStr(b.Models, DefaultModels)
	case BackendAzure:
		b.ConnectionEnv = orStr(b.ConnectionEnv, DefaultConnectionEnv)
	}
	return b
}

func resolveLoad(l Load, workloadName string) Load {
	if l.Kind == "" {
		l.Kind = LoadClosed
	}
	unit := DefaultInstances
	if f, err := workloads.Lookup(workloadName); err == nil && f.DefaultInstances > 0 {
		unit = f.DefaultInstances
	}
	instances := 0.0
	switch l.Kind {
	case LoadClosed:
		l.Instances = orInt(l.Instances, unit)
		instances = float64(l.Instances)
	case LoadOpen:
		l.Spacing = orStr(l.Spacing, DefaultSpacing)
		instances = l.RatePerSec * l.Duration.D().Seconds()
	}
	if l.TimeLimit == 0 {
		l.TimeLimit = DefaultTimeLimit * Duration(max(1, math.Ceil(instances/float64(unit))))
		l.TimeLimit = min(l.TimeLimit, MaxTimeLimit)
	}
	return l
}

func orInt(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func orStr(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// Parse decodes and resolves a spec in one step.
func Parse(data []byte) (Spec, error) { return ParseIn(Catalog{}, data) }

// ParseIn is Parse resolving against a catalog.
func ParseIn(c Catalog, data []byte) (Spec, error) {
	s, err := Decode(data)
	if err != nil {
		return Spec{}, err
	}
	return s.ResolveIn(c)
}

// JSON is the spec as indented JSON (for printing and saving).
func (s Spec) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("spec: marshal: %w", err)
	}
	return b, nil
}
