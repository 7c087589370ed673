package durable

import (
	"fmt"
	"sort"
	"strings"
)

// Orchestrator is an orchestration function. It must be deterministic: it
// may only use the context for anything that involves time, randomness or
// I/O, because it is replayed from its history.
type Orchestrator func(ctx *OrchestrationContext) (any, error)

// Activity is an activity function: ordinary code, run at least once.
type Activity func(ctx ActivityContext) (any, error)

// Entity is an entity function: it handles one operation on one entity;
// operations on an entity run one at a time, each exactly once.
type Entity func(ctx *EntityContext) error

// Registry maps names to orchestrator, activity and entity functions.
type Registry struct {
	orchestrators map[string]Orchestrator
	activities    map[string]Activity
	entities      map[string]Entity
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{
		orchestrators: map[string]Orchestrator{},
		activities:    map[string]Activity{},
		entities:      map[string]Entity{},
	}
}

func checkName(kind, name string, isNil, taken bool) error {
	switch {
	case name == "":
		return fmt.Errorf("register %s: empty name", kind)
	case strings.ContainsAny(name, "@\n"):
		return fmt.Errorf("register %s %q: a name may not contain '@' or a newline", kind, name)
	case isNil:
		return fmt.Errorf("register %s %q: nil function", kind, name)
	case taken:
		return fmt.Errorf("register %s %q: the name is already registered", kind, name)
	}
	return nil
}

// AddOrchestrator registers an orchestrator; duplicates are rejected.
func (r *Registry) AddOrchestrator(name string, fn Orchestrator) error {
	_, taken := r.orchestrators[name]
	if err := checkName("orchestrator", name, fn == nil, taken); err != nil {
		return err
	}
	r.orchestrators[name] = fn
	return nil
}

// AddActivity registers an activity; duplicates are rejected.
func (r *Registry) AddActivity(name string, fn Activity) error {
	_, taken := r.activities[name]
	if err := checkName("activity", name, fn == nil, taken); err != nil {
		return err
	}
	r.activities[name] = fn
	return nil
}

// AddEntity registers an entity; duplicates are rejected.
func (r *Registry) AddEntity(name string, fn Entity) error {
	_, taken := r.entities[name]
	if err := checkName("entity", name, fn == nil, taken); err != nil {
		return err
	}
	r.entities[name] = fn
	return nil
}

// Orchestrator looks up an orchestrator by name.
func (r *Registry) Orchestrator(name string) (Orchestrator, error) {
	if fn, ok := r.orchestrators[name]; ok {
		return fn, nil
	}
	return nil, unknown("orchestrator", name, r.orchestrators)
}

// Activity looks up an activity by name.
func (r *Registry) Activity(name string) (Activity, error) {
	if fn, ok := r.activities[name]; ok {
		return fn, nil
	}
	return nil, unknown("activity", name, r.activities)
}

// Entity looks up an entity by name.
func (r *Registry) Entity(name string) (Entity, error) {
	if fn, ok := r.entities[name]; ok {
		return fn, nil
	}
	return nil, unknown("entity", name, r.entities)
}

func unknown[F any](kind, name string, m map[string]F) error {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return fmt.Errorf("unknown %s %q (registered: %s)", kind, name, strings.Join(names, ", "))
}
