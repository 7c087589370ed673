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
	MaxNodes       = 1024
	MaxCores       = 64
	MaxRepetitions = 1000
	MaxInstances   = 10_000_000
)

// Validate checks a spec (normally a resolved one) against the built-in
// systems and workloads and returns the first problem, naming the field by
// its JSON path and the allowed values.
func (s Spec) Validate() error { return s.ValidateIn(Catalog{}) }

// ValidateIn is Validate with a catalog.
func (s Spec) ValidateIn(c Catalog) error {
	checks := []func() error{
		s.validateTop, s.validateBackend, func() error { return s.validateEngine(c) },
		s.validateCluster, func() error { return s.validateWorkload(c) }, s.validateLoad,
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
	if b.DiskLike && b.Kind != BackendSim {
		return fmt.Errorf("%s.diskLike: applies to backend %s only, but backend is %q", p, BackendSim, b.Kind)
	}
	if b.Keep && b.Kind != BackendAzure {
		return fmt.Errorf("%s.keep: applies to backend %s only, but backend is %q", p, BackendAzure, b.Kind)
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

func (s Spec) validateWorkload(c Catalog) error {
	p := Root + ".workload"
	if err := oneOf(p+".name", s.Workload.Name, c.WorkloadsOf().Names()); err != nil {
		return err
	}
	if sys, err := c.SystemsOf().Lookup(s.Engine.Name); err == nil {
		if err := sys.RunsWorkload(s.Workload.Name); err != nil {
			return fmt.Errorf("%s.name: %w", p, err)
		}
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
	if l.LatencyEnd != "" {
		if err := oneOf(p+".latencyEnd", l.LatencyEnd, []string{LatencyEndResponse, LatencyEndStatus}); err != nil {
			return err
		}
		if l.LatencyEnd == LatencyEndStatus && s.Backend.Kind != BackendSim {
			return fmt.Errorf("%s.latencyEnd: %q is the simulator's (the engine's timestamps are on its virtual clock); backend %s measures %q", p, l.LatencyEnd, s.Backend.Kind, LatencyEndResponse)
		}
	}
	if l.TimeLimit <= 0 || l.TimeLimit > MaxTimeLimit {
		return fmt.Errorf("%s.timeLimit: %s; allowed a duration in (0, %s]", p, l.TimeLimit, MaxTimeLimit)
	}
	if l.Kind == LoadClosed {
		if l.RatePerSec != 0 || l.Duration != 0 || l.Spacing != "" {
			return fmt.Errorf("%s: ratePerSec, duration and spacing apply to an open load only", p)
		}
		if l.Launchers < 0 || l.Launchers > MaxInstances {
			return fmt.Errorf("%s.launchers: %d; omit it (the client starts every instance) or give 1..%d starts per launcher entity", p, l.Launchers, MaxInstances)
		}
		if l.Launchers != 0 && s.Backend.Kind != BackendSim {
			return fmt.Errorf("%s.launchers: launcher entities run on backend sim only (backend %s)", p, s.Backend.Kind)
		}
		return inRange(p+".instances", int64(l.Instances), 1, MaxInstances)
	}
	if l.Launchers != 0 {
		return fmt.Errorf("%s.launchers: applies to a closed load only", p)
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
