package bank

import (
	"fmt"
	"strconv"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/workloads/workload"
)

// Params configure the Bank workload.
type Params struct {
	// Pairs = 0 gives instance i its own pair i (the paper's throughput
	// runs: disjoint pairs); Pairs > 0 picks a uniformly random pair in
	// 0..Pairs-1 per instance (the latency runs: 1,000 pairs).
	Pairs int `json:"pairs"`
	// Amount moved by each transfer (paper: 1,000).
	Amount int64 `json:"amount"`
	// InitialBalance of an account that has no state yet.
	InitialBalance int64 `json:"initialBalance"`
}

// MaxAmount bounds Amount and InitialBalance so sums cannot overflow.
const MaxAmount = 1 << 40

// DefaultParams are the paper's throughput setting.
func DefaultParams() Params { return Params{Pairs: 0, Amount: 1000, InitialBalance: 0} }

// Validate reports the first field out of range.
func (p Params) Validate() error {
	switch {
	case p.Pairs < 0:
		return fmt.Errorf("bank parameter pairs = %d: must be 0 (one pair per instance) or a positive number of pairs", p.Pairs)
	case p.Amount < 1 || p.Amount > MaxAmount:
		return fmt.Errorf("bank parameter amount = %d: must be 1..%d", p.Amount, int64(MaxAmount))
	case p.InitialBalance < -MaxAmount || p.InitialBalance > MaxAmount:
		return fmt.Errorf("bank parameter initialBalance = %d: must be -%d..%d", p.InitialBalance, int64(MaxAmount), int64(MaxAmount))
	}
	return nil
}

// Bank is the workload.
type Bank struct{ p Params }

// New validates p.
func New(p Params) (*Bank, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Bank{p: p}, nil
}

// Name is "bank".
func (b *Bank) Name() string { return "bank" }

// Parameters returns the parameters.
func (b *Bank) Parameters() any { return b.p }

// Params returns the parameters.
func (b *Bank) Params() Params { return b.p }

// Register adds the Account entity and the BankTransaction orchestrator.
func (b *Bank) Register(reg *durable.Registry) error {
	if err := reg.AddEntity(AccountEntity, account(b.p.InitialBalance)); err != nil {
		return fmt.Errorf("bank: %w", err)
	}
	if err := reg.AddOrchestrator(TransactionOrchestrator, transaction); err != nil {
		return fmt.Errorf("bank: %w", err)
	}
	return nil
}

// InstanceID is transfer i's orchestration id (also its transfer id).
func (b *Bank) InstanceID(i int) string { return "bank-" + strconv.Itoa(i) }

// Instance starts one transfer from pair i's source to its destination
// (or a random pair's, with Pairs > 0).
func (b *Bank) Instance(i int, r *rng.Source) ([]durable.ClientRequest, error) {
	pair := i
	if b.p.Pairs > 0 {
		pair = r.Intn(b.p.Pairs)
	}
	id := b.InstanceID(i)
	in := TransferInput{Transfer: id, Source: SourceKey(pair), Dest: DestKey(pair), Amount: b.p.Amount}
	payload, err := durable.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("bank input: %w", err)
	}
	return []durable.ClientRequest{{Kind: durable.RequestStart, Instance: id, Name: TransactionOrchestrator, Payload: payload}}, nil
}

// Units: one transaction per instance.
func (b *Bank) Units() workload.Units {
	return workload.Units{Name: "transactions", PerInstance: 1}
}

// Cost is a placeholder until calibration: entity operations are tiny.
func (b *Bank) Cost() workload.CostModel {
	return workload.CostModel{
		OperationMs: map[string]float64{AccountEntity + "." + OpGet: 0.02, AccountEntity + "." + OpAdd: 0.03},
		PayloadBytes: map[string]int{TransactionOrchestrator: 90,
			AccountEntity + "." + OpGet: 0, AccountEntity + "." + OpAdd: 40},
	}
}
