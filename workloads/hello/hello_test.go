package hello

import (
	"encoding/json"
	"testing"

	"github.com/dflab/dflab/workloads/workload"
	"github.com/dflab/dflab/workloads/workloadtest"
	"github.com/stretchr/testify/require"
)

func TestHelloCompletes(t *testing.T) {
	for _, n := range []int{3, 5} {
		h, err := NewHello(n)
		require.NoError(t, err)
		run := workloadtest.RunClosed(t, h, 20, 1)
		require.NoError(t, h.Check(run))
		var got []string
		require.NoError(t, json.Unmarshal(run.Orchestrations[h.InstanceID(7)].Output, &got))
		if n == 5 {
			require.Equal(t, []string{"Hello Tokyo!", "Hello Seattle!", "Hello London!", "Hello Amsterdam!", "Hello Mumbai!"}, got)
		}
		require.Len(t, got, n)
	}
}

func TestHelloOracleRejectsWrongGreeting(t *testing.T) {
	h, err := NewHello(5)
	require.NoError(t, err)
	run := workloadtest.RunClosed(t, h, 3, 1)
	id := h.InstanceID(1)
	o := run.Orchestrations[id]
	o.Output = []byte(`["Hello Tokyo!","Hello Seattle!","Hello Paris!","Hello Amsterdam!","Hello Mumbai!"]`)
	run.Orchestrations[id] = o
	require.ErrorContains(t, h.Check(run), `greeting 2 = "Hello Paris!", want "Hello London!"`)

	delete(run.Orchestrations, id)
	require.ErrorContains(t, h.Check(run), "no outcome")
}

func TestHelloBadParams(t *testing.T) {
	_, err := NewHello(0)
	require.ErrorContains(t, err, "cities = 0: must be 1..5")
	_, err = NewHello(6)
	require.ErrorContains(t, err, "must be 1..5")
}

func TestSequenceCompletes(t *testing.T) {
	s, err := NewSequence(DefaultSequenceParams())
	require.NoError(t, err)
	run := workloadtest.RunClosed(t, s, 10, 1)
	require.NoError(t, s.Check(run))
	var got Item
	require.NoError(t, json.Unmarshal(run.Orchestrations[s.InstanceID(3)].Output, &got))
	require.Equal(t, 10, got.Steps)
	require.Len(t, got.Data, 64)
}

func TestSequenceOracleRejectsShortChain(t *testing.T) {
	s, err := NewSequence(SequenceParams{Length: 4, DataBytes: 8})
	require.NoError(t, err)
	run := workloadtest.RunClosed(t, s, 2, 1)
	require.NoError(t, s.Check(run))
	id := s.InstanceID(0)
	short := ExpectedItem(id, 3, s.data(0))
	b, err := json.Marshal(short)
	require.NoError(t, err)
	o := run.Orchestrations[id]
	o.Output = b
	run.Orchestrations[id] = o
	require.ErrorContains(t, s.Check(run), "steps=3")
}

func TestSequenceBadParams(t *testing.T) {
	_, err := NewSequence(SequenceParams{Length: 0})
	require.ErrorContains(t, err, "length = 0: must be 1..10000")
	_, err = NewSequence(SequenceParams{Length: 3, DataBytes: -1})
	require.ErrorContains(t, err, "dataBytes = -1")
}

func TestHelloOpenLoopSchedule(t *testing.T) {
	h, err := NewHello(3)
	require.NoError(t, err)
	arrivals := workloadtest.Generate(t, h, workload.OpenLoad(10, 30e9, workload.Poisson), 42)
	require.InDelta(t, 300, len(arrivals), 60)
	run := workloadtest.RunArrivals(t, workloadtest.NewWorld(t, h), arrivals)
	require.NoError(t, h.Check(run))
}
