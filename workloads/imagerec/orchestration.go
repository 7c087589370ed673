package imagerec

import (
	"fmt"
	"time"

	"github.com/dflab/dflab/engine/durable"
)

// Input is the orchestration's input.
type Input struct {
	Image     ImageRef `json:"image"`
	FailFirst bool     `json:"failFirst"` // the first Rekognition attempt fails
	ThumbSide int      `json:"thumbSide"`
}

// RekognitionRetry retries Rekognition twice, after 1 s and then 1.5 s.
var RekognitionRetry = durable.RetryPolicy{MaxAttempts: 3, FirstInterval: time.Second, BackoffCoefficient: 1.5}

// rekognitionFirstTask is the task id of Rekognition's first attempt:
// task ids are given in scheduling order, and ExtractImageMetadata (0) and
// TransformMetadata (1) come before it. Tests check that the retry path
// is taken, so a change of order shows.
const rekognitionFirstTask = 2

// UnsupportedError is the failure text of an image that is neither JPEG
// nor PNG.
func UnsupportedError(id, format string) string {
	return fmt.Sprintf("image %s: unsupported image type %q: want jpeg or png", id, format)
}

func recognize(ctx *durable.OrchestrationContext) (any, error) {
	var in Input
	if err := ctx.GetInput(&in); err != nil {
		return nil, fmt.Errorf("image recognition input: %w", err)
	}
	var meta Metadata
	if err := ctx.CallActivity(ExtractActivity, in.Image).Await(&meta); err != nil {
		return nil, err
	}
	if meta.Format != FormatJPEG && meta.Format != FormatPNG {
		return nil, fmt.Errorf("%s", UnsupportedError(in.Image.ID, meta.Format))
	}
	var tm Transformed
	if err := ctx.CallActivity(TransformActivity, meta).Await(&tm); err != nil {
		return nil, err
	}
	rek := ctx.CallActivity(RekognitionActivity,
		RekognitionInput{Image: in.Image, FailFirst: in.FailFirst, FirstTaskID: rekognitionFirstTask},
		durable.WithRetry(RekognitionRetry))
	thumb := ctx.CallActivity(ThumbnailActivity, ThumbInput{Image: in.Image, Side: in.ThumbSide})
	if err := ctx.WhenAll(rek, thumb).Await(nil); err != nil {
		return nil, err
	}
	rec := Record{Metadata: tm}
	if err := rek.Await(&rec.Recognition); err != nil {
		return nil, err
	}
	if err := thumb.Await(&rec.Thumb); err != nil {
		return nil, err
	}
	var stored Record
	if err := ctx.CallActivity(StoreActivity, rec).Await(&stored); err != nil {
		return nil, err
	}
	return stored, nil
}
