// Package bank is the paper's Bank workload: Account entities and the
// BankTransaction orchestration, which takes a critical section on a
// source and a destination account placed on different partitions (keys
// src{i}!{(i+1)%32} and dst{i}!{(i+2)%32}), reads the source balance, adds
// −amount to the source and +amount to the destination, and releases the
// locks.
//
// Each account keeps, besides its balance, the list of transfers applied
// to it in order, so the oracle can check that the sum of balances is
// conserved, that every committed transfer was applied exactly once on
// both sides, and that the balance each transfer read is the one its
// position in the source's list implies (the critical section isolated it).
package bank
