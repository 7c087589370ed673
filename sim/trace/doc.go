// Package trace owns the simulator's canonical trace: one text line per
// event (virtual time, component, what happened, key=value fields) and a
// rolling 64-bit hash of those lines that is always kept, so two runs compare
// by one number.
//
// The hash is computed over the exact bytes of the trace text, line by line
// (8-byte words by xor-multiply-xorshift, tail bytes by FNV-1a 64), so a hash
// can be recomputed from a saved trace with HashBytes. Lines
// are built in a reused buffer with strconv appends: recording an event
// allocates nothing, whether or not a writer is attached.
package trace
