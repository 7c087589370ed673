package imagerec

import (
	"bytes"
	"encoding/json"
	"image"
	"strings"
	"testing"
	"time"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/workloads/workload"
	"github.com/dflab/dflab/workloads/workloadtest"
	"github.com/stretchr/testify/require"
)

func TestImageRecCompletesWithRetries(t *testing.T) {
	p := DefaultParams()
	p.RekognitionFailFraction = 0.5
	w, err := New(p)
	require.NoError(t, err)
	arrivals := workloadtest.Generate(t, w, workload.ClosedLoad(16), 2)
	world := workloadtest.NewWorld(t, w)
	run := workloadtest.RunArrivals(t, world, arrivals)
	require.NoError(t, w.Check(run))

	failFirst, formats := 0, map[string]int{}
	for _, a := range arrivals {
		var in Input
		require.NoError(t, json.Unmarshal(a.Req.Payload, &in))
		formats[in.Image.Spec.Format]++
		if in.FailFirst {
			failFirst++
			var rec Record
			require.NoError(t, json.Unmarshal(run.Orchestrations[a.Req.Instance].Output, &rec))
			require.True(t, rec.Recognition.Retried)
		}
	}
	require.Positive(t, failFirst)
	require.Positive(t, formats[FormatJPEG])
	require.Positive(t, formats[FormatPNG])
	calls := 0
	for _, line := range world.Actions {
		if strings.Contains(line, `"name":"`+RekognitionActivity+`"`) && strings.Contains(line, `"kind":"TaskScheduled"`) {
			calls++
		}
	}
	require.Equal(t, 16+failFirst, calls, "one retry per image whose first attempt failed")
}

func TestRetryPolicyIsThePapers(t *testing.T) {
	require.Equal(t, 3, RekognitionRetry.MaxAttempts)
	require.Equal(t, time.Second, RekognitionRetry.Delay(1))
	require.Equal(t, 1500*time.Millisecond, RekognitionRetry.Delay(2))
}

func TestUnsupportedTypeFailsCleanly(t *testing.T) {
	w, err := New(Params{Formats: []string{FormatGIF, FormatPNG}, MinSide: 16, MaxSide: 40, ThumbSide: 8})
	require.NoError(t, err)
	run := workloadtest.RunClosed(t, w, 8, 3)
	require.NoError(t, w.Check(run))
	failed := 0
	for _, o := range run.Orchestrations {
		if o.Status == durable.StatusFailed {
			failed++
			require.Contains(t, o.Failure, `unsupported image type "gif": want jpeg or png`)
		}
	}
	require.Positive(t, failed)
}

func TestImagesAndThumbnails(t *testing.T) {
	for _, f := range KnownFormats {
		b, err := Generate(Spec{Seed: 9, Width: 100, Height: 60, Format: f})
		require.NoError(t, err)
		cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
		require.NoError(t, err)
		require.Equal(t, f, format)
		require.Equal(t, 100, cfg.Width)
		again, err := Generate(Spec{Seed: 9, Width: 100, Height: 60, Format: f})
		require.NoError(t, err)
		require.Equal(t, b, again, "generation is deterministic")
	}
	w, h := ThumbSize(100, 60, 32)
	require.Equal(t, [2]int{32, 19}, [2]int{w, h})
	w, h = ThumbSize(20, 60, 32)
	require.Equal(t, [2]int{10, 32}, [2]int{w, h})
	w, h = ThumbSize(20, 10, 32)
	require.Equal(t, [2]int{20, 10}, [2]int{w, h})
	th := Thumbnail(Render(Spec{Seed: 1, Width: 90, Height: 45}), 30, 15)
	require.Equal(t, image.Rect(0, 0, 30, 15), th.Bounds())
}

func corrupt(t *testing.T, f func(*Record)) error {
	w, err := New(DefaultParams())
	require.NoError(t, err)
	run := workloadtest.RunClosed(t, w, 2, 4)
	require.NoError(t, w.Check(run))
	id := w.InstanceID(1)
	var rec Record
	require.NoError(t, json.Unmarshal(run.Orchestrations[id].Output, &rec))
	f(&rec)
	o := run.Orchestrations[id]
	o.Output, err = json.Marshal(rec)
	require.NoError(t, err)
	run.Orchestrations[id] = o
	return w.Check(run)
}

func TestImageRecOracleRejectsCorruption(t *testing.T) {
	require.ErrorContains(t, corrupt(t, func(r *Record) { r.Recognition.Labels[0] = "purple" }), "imagerec-1: stored")
	require.ErrorContains(t, corrupt(t, func(r *Record) { r.Recognition.Retried = !r.Recognition.Retried }), "want")
	require.ErrorContains(t, corrupt(t, func(r *Record) { r.Thumb.Width++ }), "want")
	require.ErrorContains(t, corrupt(t, func(r *Record) { r.Metadata.Format = "GIF" }), "want")
}

func TestImageRecBadParams(t *testing.T) {
	p := DefaultParams()
	p.Formats = []string{"png", "bmp"}
	_, err := New(p)
	require.ErrorContains(t, err, `formats: unknown image type "bmp": allowed [jpeg png gif]`)
	p = DefaultParams()
	p.Formats = nil
	_, err = New(p)
	require.ErrorContains(t, err, "formats is empty")
	p = DefaultParams()
	p.RekognitionFailFraction = 1.5
	_, err = New(p)
	require.ErrorContains(t, err, "rekognitionFailFraction = 1.5: must be 0..1")
	p = DefaultParams()
	p.MinSide, p.MaxSide = 50, 10
	_, err = New(p)
	require.ErrorContains(t, err, "maxSide = 10")
}

// opaque hides an image's concrete type, so sumRGB takes its generic path.
type opaque struct{ image.Image }

// The concrete-type pixel reads give what At(x, y).RGBA() gives: the same
// thumbnails and labels for the decoders' image types.
func TestPixelFastPathsMatchAt(t *testing.T) {
	for _, f := range []string{FormatJPEG, FormatPNG, FormatGIF} {
		ref := ImageRef{ID: f, Spec: Spec{Seed: 7, Width: 97, Height: 61, Format: f}}
		img, err := ref.decode()
		require.NoError(t, err)
		require.Equal(t, Labels(opaque{img}), Labels(img), f)
		require.Equal(t, Thumbnail(opaque{img}, 20, 13).Pix, Thumbnail(img, 20, 13).Pix, f)
	}
}

// The image store answers with Generate's bytes, hit or miss, and stays
// within its bound.
func TestImageStoreKeepsGeneratedBytes(t *testing.T) {
	s := Spec{Seed: 3, Width: 50, Height: 40, Format: FormatPNG}
	want, err := Generate(s)
	require.NoError(t, err)
	for range 2 {
		got, err := stored(s)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	defer func(n int) { storeBytes = n }(storeBytes)
	storeBytes = 3 * len(want)
	for i := range 20 {
		_, err := stored(Spec{Seed: uint64(100 + i), Width: 50, Height: 40, Format: FormatPNG})
		require.NoError(t, err)
	}
	imageStore.Lock()
	defer imageStore.Unlock()
	require.LessOrEqual(t, imageStore.size, storeBytes)
	require.Len(t, imageStore.order, len(imageStore.bytes))
	require.Less(t, len(imageStore.order), 20, "older images were dropped")
}
