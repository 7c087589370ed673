package plan

import (
	"fmt"
	"path"
	"strings"

	"github.com/dflab/dflab/engine/port"
)

var opKinds = port.OpKinds()

// OpKinds returns the op kinds a plan's op= glob may match, sorted.
func OpKinds() []string { return port.OpKinds() }

// MatchOps reports whether op kind matches glob (path.Match syntax: *, ?,
// [...]; op kinds contain no '/'). A malformed glob matches nothing.
func MatchOps(glob, kind string) bool {
	ok, err := path.Match(glob, kind)
	return ok && err == nil
}

// ValidOps checks an op glob: well-formed and matching at least one known
// op kind.
func ValidOps(glob string) error {
	if glob == "" {
		return fmt.Errorf("op=: allowed: a glob over op kinds (%s)", opKindHint())
	}
	if strings.ContainsAny(glob, " \t/") {
		return fmt.Errorf("op=%s: allowed: a glob without spaces or '/' over op kinds (%s)", glob, opKindHint())
	}
	if _, err := path.Match(glob, ""); err != nil {
		return fmt.Errorf("op=%s: malformed glob (%w); allowed: *, ?, [...] over op kinds (%s)", glob, err, opKindHint())
	}
	for _, k := range opKinds {
		if MatchOps(glob, k) {
			return nil
		}
	}
	return fmt.Errorf("op=%s matches no op kind; allowed: %s", glob, strings.Join(opKinds, ", "))
}

func opKindHint() string {
	return "e.g. page-write, table-*, queue-*, stream-append; see plan.OpKinds"
}

// validNode checks a node name: 1..64 of [A-Za-z0-9._-], starting with a
// letter, and not of the partition form p<N>.
func validNode(name string) error {
	bad := name == "" || len(name) > 64
	for i := 0; !bad && i < len(name); i++ {
		c := name[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		if !letter && (i == 0 || !digit && c != '.' && c != '_' && c != '-') {
			bad = true
		}
	}
	if _, err := parsePartition(name); err == nil {
		bad = true
	}
	if bad {
		return fmt.Errorf("node %q: allowed: 1..64 of [A-Za-z0-9._-] starting with a letter, not p<N> (e.g. node2)", name)
	}
	return nil
}
