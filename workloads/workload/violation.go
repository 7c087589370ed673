package workload

import (
	"errors"
	"fmt"
)

// Kind is what an oracle's violation broke, so that a runner files it
// under a checker without reading its text.
type Kind string

// Violation kinds.
const (
	// Conservation: a quantity that must not change did (Bank's sum of
	// balances).
	Conservation Kind = "conservation"
	// Isolation: a critical section saw another one's partial effects.
	Isolation Kind = "isolation"
	// DuplicateEffect: an effect took place more than once (an entity
	// operation applied twice, a word counted twice).
	DuplicateEffect Kind = "duplicate-effect"
	// LostEffect: an effect that must have taken place did not.
	LostEffect Kind = "lost-effect"
	// WrongOutput: an output is not the one the requests should have
	// produced (the kind of an oracle error that is no *Violation).
	WrongOutput Kind = "wrong-output"
)

// Kinds lists every kind, in report order.
var Kinds = []Kind{WrongOutput, DuplicateEffect, LostEffect, Conservation, Isolation}

// Violation is an oracle's finding: what broke and how.
type Violation struct {
	Kind Kind
	Err  error
}

func (v *Violation) Error() string { return v.Err.Error() }
func (v *Violation) Unwrap() error { return v.Err }

// Violationf returns a *Violation of kind with a formatted message.
func Violationf(kind Kind, format string, args ...any) error {
	return &Violation{Kind: kind, Err: fmt.Errorf(format, args...)}
}

// Count returns the kind of a count that should be want but is got:
// more is a duplicate effect, fewer a lost one.
func Count(got, want int64) Kind {
	if got > want {
		return DuplicateEffect
	}
	return LostEffect
}

// KindOf returns the kind of the first *Violation in err's chain, or
// WrongOutput for any other error (and "" for nil).
func KindOf(err error) Kind {
	if err == nil {
		return ""
	}
	var v *Violation
	if errors.As(err, &v) {
		return v.Kind
	}
	return WrongOutput
}
