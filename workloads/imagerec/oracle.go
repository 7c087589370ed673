package imagerec

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/workloads/workload"
)

// Expect computes, without the workflow, the record image in must end with.
func Expect(in Input) (Record, error) {
	b, err := in.Image.fetch() // once: generating an image is most of the oracle's cost
	if err != nil {
		return Record{}, err
	}
	img, err := in.Image.decodeBytes(b)
	if err != nil {
		return Record{}, err
	}
	th, err := thumbOf(img, in.Image.ID, in.ThumbSide)
	if err != nil {
		return Record{}, err
	}
	s := in.Image.Spec
	meta := Transform(Metadata{ID: in.Image.ID, Format: s.Format, Width: s.Width, Height: s.Height, Bytes: len(b)})
	return Record{Metadata: meta, Recognition: Recognition{Labels: Labels(img), Retried: in.FailFirst}, Thumb: th}, nil
}

// Check is the image-recognition oracle: a JPEG or PNG image's workflow
// completed with the expected metadata, labels, thumbnail and retry
// (exactly when its first Rekognition attempt was made to fail); any other
// image's workflow failed with the unsupported-type error.
func (w *ImageRec) Check(run workload.Run) error {
	starts := workload.Starts(run.Arrivals, Orchestrator)
	if len(starts) == 0 {
		return fmt.Errorf("imagerec: no workflow was started")
	}
	for _, s := range starts {
		var in Input
		if err := workload.Decode("imagerec input of "+s.Instance, s.Payload, &in); err != nil {
			return err
		}
		if err := check(run, s.Instance, in); err != nil {
			return fmt.Errorf("imagerec: %w", err)
		}
	}
	return nil
}

func check(run workload.Run, instance string, in Input) error {
	if f := in.Image.Spec.Format; f != FormatJPEG && f != FormatPNG {
		o, ok := run.Orchestrations[instance]
		if !ok {
			return fmt.Errorf("%s: no outcome", instance)
		}
		want := UnsupportedError(in.Image.ID, f)
		if o.Status != durable.StatusFailed || !strings.Contains(o.Failure, want) {
			return fmt.Errorf("%s: status %s failure %q, want failed with %q", instance, o.Status, o.Failure, want)
		}
		return nil
	}
	out, err := run.Completed(instance)
	if err != nil {
		return err
	}
	var got Record
	if err := workload.Decode("output of "+instance, out, &got); err != nil {
		return err
	}
	want, err := Expect(in)
	if err != nil {
		return fmt.Errorf("%s: expected record: %w", instance, err)
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("%s: stored %+v, want %+v", instance, got, want)
	}
	return nil
}
