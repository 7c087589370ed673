// Package sqlconf is the conformance suite of the relational port
// (port.Relational): one set of cases run against every implementation
// (backends/sqlmem, backends/postgres), so that the simulator's model and
// the real database agree procedure by procedure.
package sqlconf
