package hello

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/workloads/workload"
)

// Names of the Sequence workload's functions.
const (
	SequenceOrchestrator = "Sequence"
	SequenceStepActivity = "SequenceStep"
)

// Bounds of the Sequence parameters.
const (
	MaxSequenceLength = 10_000
	MaxDataBytes      = 1 << 20
)

// SequenceParams configure Sequence.
type SequenceParams struct {
	// Length is n, the number of activities in the chain (paper: 10).
	Length int `json:"length"`
	// DataBytes is the size of the payload the object carries along.
	DataBytes int `json:"dataBytes"`
}

// DefaultSequenceParams are the paper's: n = 10, a small object.
func DefaultSequenceParams() SequenceParams { return SequenceParams{Length: 10, DataBytes: 64} }

// Validate reports the first field out of range.
func (p SequenceParams) Validate() error {
	if p.Length < 1 || p.Length > MaxSequenceLength {
		return fmt.Errorf("sequence parameter length = %d: must be 1..%d", p.Length, MaxSequenceLength)
	}
	if p.DataBytes < 0 || p.DataBytes > MaxDataBytes {
		return fmt.Errorf("sequence parameter dataBytes = %d: must be 0..%d", p.DataBytes, MaxDataBytes)
	}
	return nil
}

// Item is the object passed along the chain. Each step increments Steps
// and folds the step number into Sum; Data rides along unchanged.
type Item struct {
	Instance string `json:"instance"`
	Steps    int    `json:"steps"`
	Sum      uint64 `json:"sum"`
	Data     string `json:"data,omitempty"`
}

// SequenceInput is the orchestration's input.
type SequenceInput struct {
	Length int  `json:"length"`
	Item   Item `json:"item"`
}

// stamp is what one step does to the item's checksum.
func stamp(sum uint64, step int) uint64 { return sum*1_000_003 + uint64(step) + 1 }

// Sequence is the chain-of-activities workload.
type Sequence struct{ p SequenceParams }

// NewSequence validates p.
func NewSequence(p SequenceParams) (*Sequence, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Sequence{p: p}, nil
}

// Name is "sequence".
func (s *Sequence) Name() string { return "sequence" }

// Parameters returns the parameters.
func (s *Sequence) Parameters() any { return s.p }

// Params returns the parameters.
func (s *Sequence) Params() SequenceParams { return s.p }

// Register adds the orchestrator and the step activity.
func (s *Sequence) Register(reg *durable.Registry) error {
	if err := reg.AddOrchestrator(SequenceOrchestrator, sequence); err != nil {
		return fmt.Errorf("sequence: %w", err)
	}
	if err := reg.AddActivity(SequenceStepActivity, sequenceStep); err != nil {
		return fmt.Errorf("sequence: %w", err)
	}
	return nil
}

func sequence(ctx *durable.OrchestrationContext) (any, error) {
	var in SequenceInput
	if err := ctx.GetInput(&in); err != nil {
		return nil, fmt.Errorf("sequence input: %w", err)
	}
	item := in.Item
	for k := 0; k < in.Length; k++ {
		if err := ctx.CallActivity(SequenceStepActivity, item).Await(&item); err != nil {
			return nil, err
		}
	}
	return item, nil
}

func sequenceStep(ctx durable.ActivityContext) (any, error) {
	var it Item
	if err := ctx.GetInput(&it); err != nil {
		return nil, fmt.Errorf("SequenceStep input: %w", err)
	}
	it.Sum = stamp(it.Sum, it.Steps)
	it.Steps++
	return it, nil
}

// InstanceID is instance i's orchestration id.
func (s *Sequence) InstanceID(i int) string { return "sequence-" + strconv.Itoa(i) }

func (s *Sequence) data(i int) string {
	if s.p.DataBytes == 0 {
		return ""
	}
	seed := strconv.Itoa(i) + ":"
	return strings.Repeat(seed, s.p.DataBytes/len(seed)+1)[:s.p.DataBytes]
}

// Instance starts one chain.
func (s *Sequence) Instance(i int, _ *rng.Source) ([]durable.ClientRequest, error) {
	id := s.InstanceID(i)
	in := SequenceInput{Length: s.p.Length, Item: Item{Instance: id, Data: s.data(i)}}
	payload, err := durable.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("sequence input: %w", err)
	}
	return []durable.ClientRequest{{Kind: durable.RequestStart, Instance: id, Name: SequenceOrchestrator, Payload: payload}}, nil
}

// Units: one orchestration per instance.
func (s *Sequence) Units() workload.Units {
	return workload.Units{Name: "orchestrations", PerInstance: 1}
}

// Cost is a placeholder until calibration.
func (s *Sequence) Cost() workload.CostModel {
	return workload.CostModel{
		ActivityMs:   map[string]float64{SequenceStepActivity: 0.05},
		PayloadBytes: map[string]int{SequenceStepActivity: 60 + s.p.DataBytes, SequenceOrchestrator: 80 + s.p.DataBytes},
	}
}

// ExpectedItem is what instance id's chain must return.
func ExpectedItem(id string, length int, data string) Item {
	it := Item{Instance: id, Data: data}
	for k := 0; k < length; k++ {
		it.Sum = stamp(it.Sum, k)
		it.Steps++
	}
	return it
}

// Check requires every chain to have completed all its steps, in order,
// with its data intact.
func (s *Sequence) Check(run workload.Run) error {
	starts := workload.Starts(run.Arrivals, SequenceOrchestrator)
	if len(starts) == 0 {
		return fmt.Errorf("sequence: no orchestration was started")
	}
	for _, st := range starts {
		var in SequenceInput
		if err := workload.Decode("sequence input of "+st.Instance, st.Payload, &in); err != nil {
			return err
		}
		out, err := run.Completed(st.Instance)
		if err != nil {
			return fmt.Errorf("sequence: %w", err)
		}
		var got Item
		if err := workload.Decode("sequence output of "+st.Instance, out, &got); err != nil {
			return err
		}
		want := ExpectedItem(st.Instance, in.Length, in.Item.Data)
		if got != want {
			return fmt.Errorf("sequence: %s returned steps=%d sum=%d data %d bytes, want steps=%d sum=%d data %d bytes",
				st.Instance, got.Steps, got.Sum, len(got.Data), want.Steps, want.Sum, len(want.Data))
		}
	}
	return nil
}
