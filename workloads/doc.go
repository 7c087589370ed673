// Package workloads is the registry of the paper's workloads by name, for
// the harness: Lookup("hello5") returns a Factory whose New builds the
// workload from JSON parameters (empty for the defaults; unknown fields
// are errors). The workloads themselves live in the subpackages hello,
// bank, wordcount, collision and imagerec; their common shape is
// workload.Workload.
package workloads
