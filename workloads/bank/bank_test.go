package bank

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/workloads/workload"
	"github.com/dflab/dflab/workloads/workloadtest"
	"github.com/stretchr/testify/require"
)

func TestBankDisjointPairs(t *testing.T) {
	b, err := New(DefaultParams())
	require.NoError(t, err)
	run := workloadtest.RunClosed(t, b, 40, 1)
	require.NoError(t, b.Check(run))
	require.Len(t, run.Entities, 80)
	var src AccountState
	require.NoError(t, json.Unmarshal(run.Entities[Account(SourceKey(5)).String()], &src))
	require.Equal(t, AccountState{Balance: -1000, Applied: []Applied{{Transfer: "bank-5", Amount: -1000}}}, src)
	require.Equal(t, "src5!6", SourceKey(5))
	require.Equal(t, "dst31!1", DestKey(31))
	require.Equal(t, 6, durable.Partition(Account(SourceKey(5)).String(), 32))
}

func TestBankRandomPairsContend(t *testing.T) {
	b, err := New(Params{Pairs: 5, Amount: 1000, InitialBalance: 10_000})
	require.NoError(t, err)
	arrivals := workloadtest.Generate(t, b, workload.OpenLoad(5, 10*time.Second, workload.Fixed), 3)
	require.Len(t, arrivals, 50)
	run := workloadtest.RunArrivals(t, workloadtest.NewWorld(t, b), arrivals)
	require.NoError(t, b.Check(run))
	keys, bal, err := Balances(run)
	require.NoError(t, err)
	var sum int64
	for _, k := range keys {
		sum += bal[k]
	}
	require.Equal(t, int64(len(keys))*10_000, sum)
}

// corrupt runs a small contended workload and lets f edit one account.
func corrupt(t *testing.T, f func(st *AccountState)) error {
	b, err := New(Params{Pairs: 2, Amount: 1000})
	require.NoError(t, err)
	run := workloadtest.RunClosed(t, b, 6, 9)
	require.NoError(t, b.Check(run))
	key := Account(SourceKey(0)).String()
	if _, ok := run.Entities[key]; !ok {
		key = Account(SourceKey(1)).String()
	}
	var st AccountState
	require.NoError(t, json.Unmarshal(run.Entities[key], &st))
	require.NotEmpty(t, st.Applied)
	f(&st)
	run.Entities[key], err = json.Marshal(st)
	require.NoError(t, err)
	return b.Check(run)
}

func TestBankOracleRejectsDuplicatedTransfer(t *testing.T) {
	err := corrupt(t, func(st *AccountState) {
		st.Applied = append(st.Applied, st.Applied[0])
		st.Balance += st.Applied[0].Amount
	})
	require.ErrorContains(t, err, "more than once")
	require.Equal(t, workload.DuplicateEffect, workload.KindOf(err))
}

func TestBankOracleRejectsLostTransfer(t *testing.T) {
	err := corrupt(t, func(st *AccountState) {
		st.Balance -= st.Applied[0].Amount
		st.Applied = st.Applied[1:]
	})
	require.ErrorContains(t, err, "not conserved")
	require.Equal(t, workload.Conservation, workload.KindOf(err))
}

func TestBankOracleRejectsWrongBalance(t *testing.T) {
	err := corrupt(t, func(st *AccountState) { st.Balance++ })
	require.ErrorContains(t, err, "but its applied transfers give")
}

func TestBankOracleRejectsUnisolatedRead(t *testing.T) {
	b, err := New(Params{Pairs: 1, Amount: 1000})
	require.NoError(t, err)
	run := workloadtest.RunClosed(t, b, 3, 9)
	require.NoError(t, b.Check(run))
	o := run.Orchestrations[b.InstanceID(2)]
	o.Output, err = json.Marshal(TransferResult{Transfer: b.InstanceID(2), SourceBefore: 0})
	require.NoError(t, err)
	run.Orchestrations[b.InstanceID(2)] = o
	require.ErrorContains(t, b.Check(run), "not isolated")
	require.Equal(t, workload.Isolation, workload.KindOf(b.Check(run)))
}

func TestBankOracleRejectsUnfinishedTransfer(t *testing.T) {
	b, err := New(DefaultParams())
	require.NoError(t, err)
	run := workloadtest.RunClosed(t, b, 3, 1)
	delete(run.Orchestrations, b.InstanceID(1))
	require.ErrorContains(t, b.Check(run), "orchestration bank-1: no outcome")
}

func TestBankBadParams(t *testing.T) {
	_, err := New(Params{Pairs: -1, Amount: 1000})
	require.ErrorContains(t, err, "pairs = -1")
	_, err = New(Params{Amount: 0})
	require.ErrorContains(t, err, "amount = 0: must be 1..")
}

func TestBankOracleRejectsTransferLostOnBothSides(t *testing.T) {
	b, err := New(DefaultParams())
	require.NoError(t, err)
	run := workloadtest.RunClosed(t, b, 3, 1)
	require.NoError(t, b.Check(run))
	delete(run.Entities, Account(SourceKey(1)).String())
	delete(run.Entities, Account(DestKey(1)).String())
	require.ErrorContains(t, b.Check(run), "transfer bank-1 appears 0 times in account src1!2, want exactly once")
}

func TestPairsSpanTwoPartitions(t *testing.T) {
	for _, p := range []int{2, 4, 12, 32} {
		for i := 0; i < 1000; i++ {
			src := durable.Partition(Account(SourceKey(i)).String(), p)
			dst := durable.Partition(Account(DestKey(i)).String(), p)
			require.Equal(t, ((i+1)%32)%p, src)
			require.NotEqual(t, src, dst, "pair %d on P=%d", i, p)
		}
	}
}
