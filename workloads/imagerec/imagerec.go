package imagerec

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/sim/rng"
	"github.com/dflab/dflab/workloads/workload"
)

// MaxSide bounds generated image sides and the thumbnail side.
const MaxSide = 4096

// Params configure the workload.
type Params struct {
	// Formats are drawn uniformly per image; repeat one to weight it.
	// Allowed: jpeg, png, gif (gif images fail the type check on purpose).
	Formats []string `json:"formats"`
	MinSide int      `json:"minSide"` // image sides are drawn in MinSide..MaxSide
	MaxSide int      `json:"maxSide"`
	// ThumbSide is the thumbnail's longer side.
	ThumbSide int `json:"thumbSide"`
	// RekognitionFailFraction is the fraction of images whose first
	// Rekognition attempt fails (0..1).
	RekognitionFailFraction float64 `json:"rekognitionFailFraction"`
}

// DefaultParams: JPEG and PNG, modest sizes, a quarter of first
// Rekognition attempts failing.
func DefaultParams() Params {
	return Params{Formats: []string{FormatJPEG, FormatPNG}, MinSide: 64, MaxSide: 256, ThumbSide: 32, RekognitionFailFraction: 0.25}
}

// Validate reports the first field out of range.
func (p Params) Validate() error {
	if len(p.Formats) == 0 {
		return fmt.Errorf("imagerec parameter formats is empty: list one or more of %v", KnownFormats)
	}
	for _, f := range p.Formats {
		if !slices.Contains(KnownFormats, f) {
			return fmt.Errorf("imagerec parameter formats: unknown image type %q: allowed %v", f, KnownFormats)
		}
	}
	switch {
	case p.MinSide < 1 || p.MinSide > MaxSide:
		return fmt.Errorf("imagerec parameter minSide = %d: must be 1..%d", p.MinSide, MaxSide)
	case p.MaxSide < p.MinSide || p.MaxSide > MaxSide:
		return fmt.Errorf("imagerec parameter maxSide = %d: must be minSide (%d)..%d", p.MaxSide, p.MinSide, MaxSide)
	case p.ThumbSide < 1 || p.ThumbSide > MaxSide:
		return fmt.Errorf("imagerec parameter thumbSide = %d: must be 1..%d", p.ThumbSide, MaxSide)
	case !(p.RekognitionFailFraction >= 0 && p.RekognitionFailFraction <= 1) || math.IsNaN(p.RekognitionFailFraction):
		return fmt.Errorf("imagerec parameter rekognitionFailFraction = %v: must be 0..1", p.RekognitionFailFraction)
	}
	return nil
}

// ImageRec is the workload.
type ImageRec struct{ p Params }

// New validates p.
func New(p Params) (*ImageRec, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	p.Formats = slices.Clone(p.Formats)
	return &ImageRec{p: p}, nil
}

// Name is "imagerec".
func (w *ImageRec) Name() string { return "imagerec" }

// Parameters returns the parameters.
func (w *ImageRec) Parameters() any { return w.p }

// Params returns the parameters.
func (w *ImageRec) Params() Params { return w.p }

// Register adds the orchestrator and its five activities.
func (w *ImageRec) Register(reg *durable.Registry) error {
	if err := reg.AddOrchestrator(Orchestrator, recognize); err != nil {
		return fmt.Errorf("imagerec: %w", err)
	}
	for _, a := range []struct {
		name string
		fn   durable.Activity
	}{{ExtractActivity, extract}, {TransformActivity, transform}, {RekognitionActivity, rekognition},
		{ThumbnailActivity, thumbnail}, {StoreActivity, store}} {
		if err := reg.AddActivity(a.name, a.fn); err != nil {
			return fmt.Errorf("imagerec: %w", err)
		}
	}
	return nil
}

// InstanceID is image i's orchestration id.
func (w *ImageRec) InstanceID(i int) string { return "imagerec-" + strconv.Itoa(i) }

// Instance starts the workflow for one generated image: format, size,
// picture seed and whether Rekognition's first attempt fails, all from r.
func (w *ImageRec) Instance(i int, r *rng.Source) ([]durable.ClientRequest, error) {
	id := w.InstanceID(i)
	spec := Spec{
		Format: w.p.Formats[r.Intn(len(w.p.Formats))],
		Width:  w.p.MinSide + r.Intn(w.p.MaxSide-w.p.MinSide+1),
		Height: w.p.MinSide + r.Intn(w.p.MaxSide-w.p.MinSide+1),
		Seed:   r.Uint64(),
	}
	in := Input{Image: ImageRef{ID: id, Spec: spec}, FailFirst: r.Bernoulli(w.p.RekognitionFailFraction), ThumbSide: w.p.ThumbSide}
	payload, err := durable.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("imagerec input: %w", err)
	}
	return []durable.ClientRequest{{Kind: durable.RequestStart, Instance: id, Name: Orchestrator, Payload: payload}}, nil
}

// Units: one orchestration (image) per instance.
func (w *ImageRec) Units() workload.Units {
	return workload.Units{Name: "orchestrations", PerInstance: 1}
}

// Cost: CPU placeholders until calibration, and modeled remote latencies
// that add up to about the paper's 1.2 s per workflow.
func (w *ImageRec) Cost() workload.CostModel {
	return workload.CostModel{
		ActivityMs: map[string]float64{ExtractActivity: 1, TransformActivity: 0.05, RekognitionActivity: 2,
			ThumbnailActivity: 3, StoreActivity: 0.05},
		RemoteMs: map[string]float64{ExtractActivity: 150, TransformActivity: 100, RekognitionActivity: 550,
			ThumbnailActivity: 250, StoreActivity: 150},
		PayloadBytes: map[string]int{Orchestrator: 130, ExtractActivity: 100, TransformActivity: 80,
			RekognitionActivity: 130, ThumbnailActivity: 110, StoreActivity: 250},
	}
}
