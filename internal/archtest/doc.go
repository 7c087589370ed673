// Package archtest holds the architecture test: it enforces DESIGN.md's
// dependency direction and the one rule (engine and simulator code is
// deterministic: no clocks, goroutines, channels, select or randomness).
package archtest
