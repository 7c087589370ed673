// Package postgres implements port.Relational on PostgreSQL through pgx v5:
// the SQL engine's procedures (port.SQL*) as SQL transactions, after
// DurableTask.SqlServer's stored procedures (Scripts/logic.sql), ported:
// FOR UPDATE SKIP LOCKED for SQL Server's READPAST, a unique violation
// (SQLSTATE 23505) on History for the duplicate-execution error, bigint
// nanosecond times from the store's clock. SQLCreateSchema creates the
// tables (one set for every task hub, TaskHub first in every primary key)
// in the schema Options.Schema. Errors map to the port's sentinels: a
// missing table is port.ErrNoSchema, a deadlock, serialization failure or
// lost connection port.ErrTransient.
package postgres
