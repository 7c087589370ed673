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
	DefaultPartitions         = 12
	DefaultSpeculation        = SpeculationLocal
	DefaultMaxActivities      = 100
	DefaultCheckpointLogBytes = 20 << 20
	DefaultCheckpointEvents   = 10_000
	DefaultCheckpointIdle     = Duration(60 * time.Second)
	DefaultControlQueues      = 4
	DefaultMaxConcurrentActs  = 10
	DefaultModels             = "paper2022"
	DefaultConnectionEnv      = "DFLAB_AZURE_CONNECTION"
	DefaultInstances          = 1000 // of a workload the registry does not know
	DefaultTimeLimit          = Duration(10 * time.Minute)
	MaxTimeLimit              = Duration(1000 * time.Hour)
	DefaultSpacing            = "poisson"
	DefaultSeed               = 1
)

// Resolve fills every default and validates the result. The resolved spec
// is what runs and what is saved with every result; resolving it again
// changes nothing.
func (s Spec) Resolve() (Spec, error) {
	r := s
	r.Version = Version
	if r.Repetitions == 0 {
		r.Repetitions = 1
	}
	if r.Seed == 0 {
		r.Seed = DefaultSeed
	}
	r.Engine = resolveEngine(r.Engine)
	r.Backend = resolveBackend(r.Backend)
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
	if err := r.Validate(); err != nil {
		return Spec{}, err
	}
	return r, nil
}

func resolveEngine(e Engine) Engine {
	switch e.Name {
	case EngineNetherite:
		n := NetheriteKnobs{}
		if e.Netherite != nil {
			n = *e.Netherite
		}
		n.Partitions = orInt(n.Partitions, DefaultPartitions)
		n.Speculation = orStr(n.Speculation, DefaultSpeculation)
		n.MaxActivities = orInt(n.MaxActivities, DefaultMaxActivities)
		if n.Checkpoint.LogBytes == 0 {
			n.Checkpoint.LogBytes = DefaultCheckpointLogBytes
		}
		n.Checkpoint.Events = orInt(n.Checkpoint.Events, DefaultCheckpointEvents)
		if n.Checkpoint.Idle == 0 {
			n.Checkpoint.Idle = DefaultCheckpointIdle
		}
		e.Netherite = &n
	case EngineOriginal:
		o := OriginalKnobs{}
		if e.Original != nil {
			o = *e.Original
		}
		o.ControlQueues = orInt(o.ControlQueues, DefaultControlQueues)
		o.MaxConcurrentActivities = orInt(o.MaxConcurrentActivities, DefaultMaxConcurrentActs)
		e.Original = &o
	}
	return e
}

func resolveBackend(b Backend) Backend {
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
func Parse(data []byte) (Spec, error) {
	s, err := Decode(data)
	if err != nil {
		return Spec{}, err
	}
	return s.Resolve()
}

// JSON is the spec as indented JSON (for printing and saving).
func (s Spec) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("spec: marshal: %w", err)
	}
	return b, nil
}
