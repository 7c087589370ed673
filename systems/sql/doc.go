// Package sql is the SQL engine's system descriptor (System): the MS SQL
// design of Durable Functions (DurableTask.SqlServer) ported to a
// relational port, with its knobs, its simulator deployment (Sim: one
// worker core per node, the client on a node of its own, and the database
// server's CPU as a sim.Service with DBCores cores), its real start, fault
// targets and counters. The cores are in engine/sql.
package sql
