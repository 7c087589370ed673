package bank

import (
	"fmt"

	"github.com/dflab/dflab/engine/durable"
)

// TransactionOrchestrator is the registered orchestrator name.
const TransactionOrchestrator = "BankTransaction"

// TransferInput is the orchestration's input.
type TransferInput struct {
	Transfer string `json:"transfer"` // the transfer id (the instance id)
	Source   string `json:"source"`   // account key
	Dest     string `json:"dest"`     // account key
	Amount   int64  `json:"amount"`
}

// TransferResult is the orchestration's output.
type TransferResult struct {
	Transfer string `json:"transfer"`
	// SourceBefore is the source balance read inside the critical section.
	SourceBefore int64 `json:"sourceBefore"`
}

// Account returns the entity id of the account with key.
func Account(key string) durable.EntityID { return durable.EntityID{Name: AccountEntity, Key: key} }

// SourceKey and DestKey are pair i's account keys, pinned to partitions
// (i+1) mod 32 and (i+2) mod 32 as in the paper.
func SourceKey(i int) string { return fmt.Sprintf("src%d!%d", i, (i+1)%32) }

// DestKey is pair i's destination account key.
func DestKey(i int) string { return fmt.Sprintf("dst%d!%d", i, (i+2)%32) }

func transaction(ctx *durable.OrchestrationContext) (any, error) {
	var in TransferInput
	if err := ctx.GetInput(&in); err != nil {
		return nil, fmt.Errorf("bank transaction input: %w", err)
	}
	src, dst := Account(in.Source), Account(in.Dest)
	cs, err := ctx.LockEntities(src, dst)
	if err != nil {
		return nil, fmt.Errorf("bank transaction %s: lock: %w", in.Transfer, err)
	}
	// Released explicitly at the end; `defer cs.Release()` would do the
	// same (engine/replay's TestDeferredReleaseIsTheSameAsExplicit): on a
	// failure the executor releases the open section itself, and a
	// deferred call that runs while an evicted cursor's orchestrator
	// unwinds touches only that discarded executor.
	var before int64
	if err := ctx.CallEntity(src, OpGet, nil).Await(&before); err != nil {
		return nil, fmt.Errorf("bank transaction %s: read source: %w", in.Transfer, err)
	}
	debit := ctx.CallEntity(src, OpAdd, AddInput{Transfer: in.Transfer, Amount: -in.Amount})
	credit := ctx.CallEntity(dst, OpAdd, AddInput{Transfer: in.Transfer, Amount: in.Amount})
	if err := ctx.WhenAll(debit, credit).Await(nil); err != nil {
		return nil, fmt.Errorf("bank transaction %s: transfer: %w", in.Transfer, err)
	}
	cs.Release()
	return TransferResult{Transfer: in.Transfer, SourceBefore: before}, nil
}
