package collision

import (
	"fmt"
	"math"
	"strconv"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/workloads/workload"
)

// Bounds of the parameters.
const (
	MaxBlocks    = 100_000
	MaxBlockSize = 1_000_000_000_000
	MaxRealLeaf  = 100_000_000
	MaxStart     = 1_000_000_000_000_000_000
	MaxArity     = 1000
)

// Params configure Collision.
type Params struct {
	Blocks    int    `json:"blocks"`    // B: blocks searched (paper: 100..1,000)
	BlockSize uint64 `json:"blockSize"` // nominal numbers per leaf, charged (paper: 10^9)
	RealLeaf  uint64 `json:"realLeaf"`  // numbers per leaf really hashed (scaled down)
	Start     uint64 `json:"start"`     // first number searched (paper: 10^14)
	Arity     int    `json:"arity"`     // sub-orchestrations per split (paper: 10)
	// NsPerNumber is the CPU charged per nominal number hashed. The default
	// is from the calibration set: about 1.07 × 10^9 numbers/s on one core.
	NsPerNumber float64 `json:"nsPerNumber"`
}

// DefaultParams are the paper's smallest run, scaled to 10^5 real numbers
// per leaf.
func DefaultParams() Params {
	return Params{Blocks: 100, BlockSize: 1_000_000_000, RealLeaf: 100_000, Start: 100_000_000_000_000, Arity: 10, NsPerNumber: 0.93}
}

// Validate reports the first field out of range.
func (p Params) Validate() error {
	switch {
	case p.Blocks < 1 || p.Blocks > MaxBlocks:
		return fmt.Errorf("collision parameter blocks (B) = %d: must be 1..%d", p.Blocks, MaxBlocks)
	case p.BlockSize < 1 || p.BlockSize > MaxBlockSize:
		return fmt.Errorf("collision parameter blockSize = %d: must be 1..%d", p.BlockSize, uint64(MaxBlockSize))
	case p.RealLeaf < 1 || p.RealLeaf > p.BlockSize || p.RealLeaf > MaxRealLeaf:
		return fmt.Errorf("collision parameter realLeaf = %d: must be 1..min(blockSize=%d, %d)", p.RealLeaf, p.BlockSize, MaxRealLeaf)
	case p.Start > MaxStart:
		return fmt.Errorf("collision parameter start = %d: must be 0..%d", p.Start, uint64(MaxStart))
	case p.Arity < 2 || p.Arity > MaxArity:
		return fmt.Errorf("collision parameter arity = %d: must be 2..%d", p.Arity, MaxArity)
	case !(p.NsPerNumber >= 0) || math.IsInf(p.NsPerNumber, 0):
		return fmt.Errorf("collision parameter nsPerNumber = %v: must be a finite number >= 0", p.NsPerNumber)
	}
	return nil
}

// Collision is the workload.
type Collision struct{ p Params }

// New validates p.
func New(p Params) (*Collision, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &Collision{p: p}, nil
}

// Name is "collision".
func (c *Collision) Name() string { return "collision" }

// Parameters returns the parameters.
func (c *Collision) Parameters() any { return c.p }

// Params returns the parameters.
func (c *Collision) Params() Params { return c.p }

// Register adds the orchestrator and the leaf activity.
func (c *Collision) Register(reg *durable.Registry) error {
	if err := reg.AddOrchestrator(SearchOrchestrator, search); err != nil {
		return fmt.Errorf("collision: %w", err)
	}
	if err := reg.AddActivity(SearchActivity, searchLeaf); err != nil {
		return fmt.Errorf("collision: %w", err)
	}
	return nil
}

// InstanceID is search i's root orchestration id.
func (c *Collision) InstanceID(i int) string { return "collision-" + strconv.Itoa(i) }

// Input is the root input of a search for target.
func (c *Collision) Input(target uint32) SearchInput {
	return SearchInput{Start: c.p.Start, Blocks: c.p.Blocks, BlockSize: c.p.BlockSize, RealLeaf: c.p.RealLeaf,
		Target: target, Arity: c.p.Arity}
}

// Instance starts one search whose target is the hash of a number chosen
// from r among those really hashed.
func (c *Collision) Instance(i int, r *rng.Source) ([]durable.ClientRequest, error) {
	block := uint64(r.Intn(c.p.Blocks))
	x := c.p.Start + block*c.p.BlockSize + r.Uint64n(c.p.RealLeaf)
	payload, err := durable.Marshal(c.Input(Hash32(x)))
	if err != nil {
		return nil, fmt.Errorf("collision input: %w", err)
	}
	return []durable.ClientRequest{{Kind: durable.RequestStart, Instance: c.InstanceID(i), Name: SearchOrchestrator, Payload: payload}}, nil
}

// Units: B × BlockSize / 10^9 per search.
func (c *Collision) Units() workload.Units {
	return workload.Units{Name: "1e9 numbers", PerInstance: float64(c.p.Blocks) * float64(c.p.BlockSize) / 1e9}
}

// Cost charges SearchActivity for its nominal leaf, not the real one.
func (c *Collision) Cost() workload.CostModel {
	return workload.CostModel{
		ActivityMs:   map[string]float64{SearchActivity: float64(c.p.BlockSize) * c.p.NsPerNumber / 1e6},
		PayloadBytes: map[string]int{SearchActivity: 50, SearchOrchestrator: 110},
	}
}

// Expected is the collision set of a search for target, by a plain loop
// over every block's real range.
func (c *Collision) Expected(target uint32) []uint64 {
	var out []uint64
	for b := 0; b < c.p.Blocks; b++ {
		out = append(out, searchRange(c.p.Start+uint64(b)*c.p.BlockSize, c.p.RealLeaf, target)...)
	}
	return out
}
