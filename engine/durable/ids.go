package durable

import (
	"fmt"
	"strconv"
	"strings"
)

// EntityID names an entity: a registered entity name and a key. Its instance
// id (the String form) is "@name@key".
type EntityID struct {
	Name string
	Key  string
}

// String returns the entity's instance id "@name@key".
func (id EntityID) String() string { return "@" + id.Name + "@" + id.Key }

// ParseEntityID parses an instance id of the form "@name@key".
func ParseEntityID(s string) (EntityID, error) {
	rest, ok := strings.CutPrefix(s, "@")
	name, key, ok2 := strings.Cut(rest, "@")
	if !ok || !ok2 || name == "" {
		return EntityID{}, fmt.Errorf("entity id %q: want the form @name@key with a non-empty name", s)
	}
	return EntityID{Name: name, Key: key}, nil
}

// IsEntity reports whether an instance id names an entity.
func IsEntity(instance string) bool { return strings.HasPrefix(instance, "@") }

// Partition places an instance (orchestration or entity) on one of p
// partitions: an id ending in "!n" (n a decimal number) is pinned to
// partition n mod p; any other id goes to FNV-1a-32(id) mod p.
func Partition(instance string, p int) int {
	if p <= 1 {
		return 0
	}
	if i := strings.LastIndexByte(instance, '!'); i >= 0 && i+1 < len(instance) {
		if n, err := strconv.ParseUint(instance[i+1:], 10, 32); err == nil {
			return int(n % uint64(p))
		}
	}
	return int(fnv1a32(instance) % uint32(p))
}

func fnv1a32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}
