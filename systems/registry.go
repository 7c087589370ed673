package systems

import (
	"fmt"
	"strings"
)

// Registry is an open set of systems, in registration order.
type Registry struct {
	list []*System
}

// NewRegistry returns a registry holding systems.
func NewRegistry(systems ...*System) (*Registry, error) {
	r := &Registry{}
	for _, s := range systems {
		if err := r.Register(s); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Register adds a system; its name must be new.
func (r *Registry) Register(s *System) error {
	if err := s.Check(); err != nil {
		return err
	}
	if _, err := r.Lookup(s.Name); err == nil {
		return fmt.Errorf("systems: system %s registered twice", s.Name)
	}
	r.list = append(r.list, s)
	return nil
}

// Clone returns a registry holding the same systems, to register more
// without changing r.
func (r *Registry) Clone() *Registry {
	return &Registry{list: append([]*System(nil), r.list...)}
}

// Lookup finds a system by name.
func (r *Registry) Lookup(name string) (*System, error) {
	for _, s := range r.list {
		if s.Name == name {
			return s, nil
		}
	}
	return nil, fmt.Errorf("unknown system %q (known: %s)", name, strings.Join(r.Names(), ", "))
}

// Names lists the systems' names in registration order.
func (r *Registry) Names() []string {
	out := make([]string, len(r.list))
	for i, s := range r.list {
		out[i] = s.Name
	}
	return out
}

// All lists the systems in registration order.
func (r *Registry) All() []*System { return append([]*System(nil), r.list...) }
