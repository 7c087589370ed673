// Package sqlmem is the in-memory relational model behind port.Relational,
// for the simulator and tests: the SQL engine's tables (Instances,
// NewEvents, History, NewTasks, Payloads) keyed by task hub, row locks as
// owner and expiry columns, skip-locked scans in primary-key order, and
// each procedure one atomic transaction that validates before it changes
// anything (a History primary-key violation rolls the whole checkpoint
// back as port.ErrDuplicateExecution). Time is the clock it is given (the
// simulator's virtual clock). It mirrors backends/postgres, which runs the
// same procedures as SQL transactions; the conformance of the two is
// tested with one suite (backends/sqlconf).
package sqlmem
