package spec

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Limits of the validated fields.
const (
	MaxPartitionsReal = 32   // Netherite's range on real backends
	MaxPartitionsSim  = 1024 // the engine's own bound, allowed in simulation
	MaxNodes          = 1024
	MaxCores          = 64
	MaxRepetitions    = 1000
	MaxInstances      = 10_000_000
)

// Validate checks a spec (normally a resolved one) and returns the first
// problem, naming the field by its JSON path and the allowed values.
func (s Spec) Validate() error {
	checks := []func() error{
		s.validateTop, s.validateEngine, s.validateBackend,
		s.validateCluster, s.validateWorkload, s.validateLoad,
	}
	for _, c := range checks {
		if err := c(); err != nil {
			return err
		}
	}
	return nil
}

func oneOf(path, v string, allowed []string) error {
	if slices.Contains(allowed, v) {
		return nil
	}
	return fmt.Errorf("%s: %q is not one of %s", path, v, strings.Join(allowed, ", "))
}

func inRange(path string, v, lo, hi int64) error {
	if v < lo || v > hi {
		return fmt.Errorf("%s: %d is out of range; allowed %d..%d", path, v, lo, hi)
	}
	return nil
}

func (s Spec) validateTop() error {
	if s.Version != 0 && s.Version != Version {
		return fmt.Errorf("%s.version: %d is not supported; allowed %d", Root, s.Version, Version)
	}
	return inRange(Root+".repetitions", int64(s.Repetitions), 1, MaxRepetitions)
}

func (s Spec) validateEngine() error {
	p := Root + ".engine"
	e := s.Engine
	if err := oneOf(p+".name", e.Name, Engines); err != nil {
		return err
	}
	if e.Name != EngineNetherite && e.Netherite != nil {
		return fmt.Errorf("%s.netherite: knobs of engine netherite given, but engine is %q", p, e.Name)
	}
	if e.Name != EngineOriginal && e.Original != nil {
		return fmt.Errorf("%s.original: knobs of engine original given, but engine is %q", p, e.Name)
	}
	if n := e.Netherite; n != nil {
		return n.validate(p+".netherite", s.Backend.Kind == BackendSim)
	}
	if o := e.Original; o != nil {
		return o.validate(p + ".original")
	}
	return nil
}

func (n NetheriteKnobs) validate(p string, sim bool) error {
	maxP := int64(MaxPartitionsReal)
	if sim {
		maxP = MaxPartitionsSim
	}
	if err := inRange(p+".partitions", int64(n.Partitions), 1, maxP); err != nil {
		if !sim && n.Partitions > MaxPartitionsReal {
			return fmt.Errorf("%w (more partitions only with backend sim)", err)
		}
		return err
	}
	if err := oneOf(p+".speculation", n.Speculation, Speculations); err != nil {
		return err
	}
	if err := inRange(p+".maxActivities", int64(n.MaxActivities), 1, 100_000); err != nil {
		return err
	}
	c := n.Checkpoint
	if err := inRange(p+".checkpoint.logBytes", c.LogBytes, 1, 1<<40); err != nil {
		return err
	}
	if c.Events != -1 {
		if err := inRange(p+".checkpoint.events", int64(c.Events), 1, 1<<31-1); err != nil {
			return fmt.Errorf("%w, or -1 to disable checkpoints", err)
		}
	}
	if c.Idle <= 0 {
		return fmt.Errorf("%s.checkpoint.idle: %s; allowed a duration > 0", p, c.Idle)
	}
	return nil
}

func (o OriginalKnobs) validate(p string) error {
	if err := inRange(p+".controlQueues", int64(o.ControlQueues), 1, 64); err != nil {
		return err
	}
	return inRange(p+".maxConcurrentActivities", int64(o.MaxConcurrentActivities), 1, 1000)
}

func (s Spec) validateBackend() error {
	p := Root + ".backend"
	b := s.Backend
	if err := oneOf(p+".kind", b.Kind, Backends); err != nil {
		return err
	}
	only := map[string]struct{ field, v string }{
		BackendSim: {"models", b.Models}, BackendDisk: {"dir", b.Dir},
		BackendAzure: {"connectionEnv", b.ConnectionEnv}, BackendNATS: {"url", b.URL},
	}
	for _, kind := range Backends {
		if f := only[kind]; f.v != "" && kind != b.Kind {
			return fmt.Errorf("%s.%s: applies to backend %s only, but backend is %q", p, f.field, kind, b.Kind)
		}
	}
	if b.Kind == BackendSim && !validName(b.Models) {
		return fmt.Errorf("%s.models: %q; allowed a model set name of [A-Za-z0-9._-]", p, b.Models)
	}
	return nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._-", c)) {
			return false
		}
	}
	return true
}

func (s Spec) validateCluster() error {
	p := Root + ".cluster"
	if err := inRange(p+".nodes", int64(s.Cluster.Nodes), 1, MaxNodes); err != nil {
		return err
	}
	return inRange(p+".cores", int64(s.Cluster.Cores), 1, MaxCores)
}

func (s Spec) validateWorkload() error {
	p := Root + ".workload"
	if err := oneOf(p+".name", s.Workload.Name, Workloads); err != nil {
		return err
	}
	if len(s.Workload.Params) > 0 && (!json.Valid(s.Workload.Params) || s.Workload.Params[0] != '{') {
		return fmt.Errorf("%s.params: want an object, got %s", p, brief(s.Workload.Params))
	}
	return nil
}

func (s Spec) validateLoad() error {
	p := Root + ".load"
	l := s.Load
	if err := oneOf(p+".kind", l.Kind, LoadKinds); err != nil {
		return err
	}
	if l.TimeLimit <= 0 || l.TimeLimit > MaxTimeLimit {
		return fmt.Errorf("%s.timeLimit: %s; allowed a duration in (0, %s]", p, l.TimeLimit, MaxTimeLimit)
	}
	if l.Kind == LoadClosed {
		if l.RatePerSec != 0 || l.Duration != 0 || l.Spacing != "" {
			return fmt.Errorf("%s: ratePerSec, duration and spacing apply to an open load only", p)
		}
		return inRange(p+".instances", int64(l.Instances), 1, MaxInstances)
	}
	if l.Instances != 0 {
		return fmt.Errorf("%s.instances: applies to a closed load only; an open load runs ratePerSec × duration", p)
	}
	if !(l.RatePerSec > 0) || math.IsInf(l.RatePerSec, 0) {
		return fmt.Errorf("%s.ratePerSec: %v; allowed a finite number > 0", p, l.RatePerSec)
	}
	if l.Duration <= 0 {
		return fmt.Errorf("%s.duration: %s; allowed a duration > 0", p, l.Duration)
	}
	if n := l.RatePerSec * l.Duration.D().Seconds(); n > MaxInstances {
		return fmt.Errorf("%s: ratePerSec × duration = %.0f instances; allowed at most %d", p, n, MaxInstances)
	}
	return oneOf(p+".spacing", l.Spacing, Spacings)
}
