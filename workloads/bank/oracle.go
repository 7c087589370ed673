package bank

import (
	"fmt"
	"sort"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/workloads/workload"
)

// Check is the Bank oracle. Every started transfer must have completed and
// appear exactly once in its source's list (−amount) and once in its
// destination's (+amount); no account may hold an entry no request asked
// for; each balance must equal the initial balance plus its entries; the
// sum of balances is conserved; and the balance a transfer read must be
// the source balance just before its entry (isolation).
func (b *Bank) Check(run workload.Run) error {
	starts := workload.Starts(run.Arrivals, TransactionOrchestrator)
	if len(starts) == 0 {
		return fmt.Errorf("bank: no transaction was started")
	}
	transfers := map[string]TransferInput{}
	var order []string
	for _, s := range starts {
		var in TransferInput
		if err := workload.Decode("bank input of "+s.Instance, s.Payload, &in); err != nil {
			return err
		}
		if _, dup := transfers[in.Transfer]; dup {
			return fmt.Errorf("bank: transfer %s started twice", in.Transfer)
		}
		transfers[in.Transfer] = in
		order = append(order, in.Transfer)
	}
	accounts, err := b.accounts(run, transfers)
	if err != nil {
		return err
	}
	if err := b.checkAccounts(accounts, transfers); err != nil {
		return err
	}
	for _, id := range order {
		if err := b.checkTransfer(run, accounts, transfers[id]); err != nil {
			return err
		}
	}
	return nil
}

// accounts returns the state of every Account the run touched or the
// requests named (absent ones at their initial balance).
func (b *Bank) accounts(run workload.Run, transfers map[string]TransferInput) (map[string]AccountState, error) {
	out := map[string]AccountState{}
	for _, in := range transfers {
		out[in.Source] = AccountState{Balance: b.p.InitialBalance}
		out[in.Dest] = AccountState{Balance: b.p.InitialBalance}
	}
	for inst, state := range run.Entities {
		id, err := durable.ParseEntityID(inst)
		if err != nil || id.Name != AccountEntity {
			continue
		}
		var st AccountState
		if err := workload.Decode("bank account "+inst, state, &st); err != nil {
			return nil, err
		}
		out[id.Key] = st
	}
	return out, nil
}

// checkAccounts checks each account on its own: entries known, unique,
// adding up to its balance; and the sum over all accounts.
func (b *Bank) checkAccounts(accounts map[string]AccountState, transfers map[string]TransferInput) error {
	keys := workload.Keys(accounts)
	var total, initial int64
	for _, key := range keys {
		st := accounts[key]
		seen := map[string]bool{}
		sum := b.p.InitialBalance
		for _, a := range st.Applied {
			in, ok := transfers[a.Transfer]
			if !ok {
				return fmt.Errorf("bank: account %s applied transfer %s, which no request started", key, a.Transfer)
			}
			if seen[a.Transfer] {
				return workload.Violationf(workload.DuplicateEffect, "bank: account %s applied transfer %s more than once", key, a.Transfer)
			}
			seen[a.Transfer] = true
			if want := expectedAmount(in, key); a.Amount != want {
				return fmt.Errorf("bank: account %s applied %d for transfer %s, want %d", key, a.Amount, a.Transfer, want)
			}
			sum += a.Amount
		}
		if st.Balance != sum {
			return workload.Violationf(workload.Conservation, "bank: account %s balance %d, but its applied transfers give %d", key, st.Balance, sum)
		}
		total += st.Balance
		initial += b.p.InitialBalance
	}
	if total != initial {
		return workload.Violationf(workload.Conservation, "bank: sum of %d balances is %d, want %d (not conserved)", len(keys), total, initial)
	}
	return nil
}

// expectedAmount is what transfer in applies to account key (0: nothing).
func expectedAmount(in TransferInput, key string) int64 {
	switch key {
	case in.Source:
		return -in.Amount
	case in.Dest:
		return in.Amount
	}
	return 0
}

// checkTransfer checks one transfer: completed, on both sides exactly
// once, and isolated.
func (b *Bank) checkTransfer(run workload.Run, accounts map[string]AccountState, in TransferInput) error {
	out, err := run.Completed(in.Transfer)
	if err != nil {
		return fmt.Errorf("bank: %w", err)
	}
	var res TransferResult
	if err := workload.Decode("bank output of "+in.Transfer, out, &res); err != nil {
		return err
	}
	for _, key := range []string{in.Source, in.Dest} {
		if n := count(accounts[key].Applied, in.Transfer); n != 1 {
			return workload.Violationf(workload.Count(int64(n), 1), "bank: transfer %s appears %d times in account %s, want exactly once", in.Transfer, n, key)
		}
	}
	before := b.p.InitialBalance
	for _, a := range accounts[in.Source].Applied {
		if a.Transfer == in.Transfer {
			break
		}
		before += a.Amount
	}
	if res.SourceBefore != before {
		return workload.Violationf(workload.Isolation, "bank: transfer %s read source balance %d, but the transfers applied before it give %d (not isolated)",
			in.Transfer, res.SourceBefore, before)
	}
	return nil
}

func count(applied []Applied, transfer string) int {
	n := 0
	for _, a := range applied {
		if a.Transfer == transfer {
			n++
		}
	}
	return n
}

// Balances returns the balance of every account in run, by key, sorted
// keys first (for reports and fault checkers).
func Balances(run workload.Run) (keys []string, balances map[string]int64, err error) {
	balances = map[string]int64{}
	for inst, state := range run.Entities {
		id, perr := durable.ParseEntityID(inst)
		if perr != nil || id.Name != AccountEntity {
			continue
		}
		var st AccountState
		if err := workload.Decode("bank account "+inst, state, &st); err != nil {
			return nil, nil, err
		}
		balances[id.Key] = st.Balance
		keys = append(keys, id.Key)
	}
	sort.Strings(keys)
	return keys, balances, nil
}
