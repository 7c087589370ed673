package imagerec

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"image"
	"image/png"
	"strings"
	"sync"

	// Decoders for image.Decode and image.DecodeConfig.
	_ "image/gif"
	_ "image/jpeg"

	"github.com/dflab/dflab/engine/durable"
)

// Registered names.
const (
	Orchestrator        = "ImageRecognition"
	ExtractActivity     = "ExtractImageMetadata"
	TransformActivity   = "TransformMetadata"
	RekognitionActivity = "Rekognition"
	ThumbnailActivity   = "GenerateThumbnail"
	StoreActivity       = "StoreImageMetadata"
)

// ImageRef names an image in the (modeled) image store: fetching it
// regenerates its bytes from the spec.
type ImageRef struct {
	ID   string `json:"id"`
	Spec Spec   `json:"spec"`
}

// fetch "downloads" the image (the bytes are shared: read only).
func (r ImageRef) fetch() ([]byte, error) {
	b, err := stored(r.Spec)
	if err != nil {
		return nil, fmt.Errorf("fetch image %s: %w", r.ID, err)
	}
	return b, nil
}

func (r ImageRef) decode() (image.Image, error) {
	b, err := r.fetch()
	if err != nil {
		return nil, err
	}
	return r.decodeBytes(b)
}

func (r ImageRef) decodeBytes(b []byte) (image.Image, error) {
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decode image %s: %w", r.ID, err)
	}
	return img, nil
}

// Metadata is what ExtractImageMetadata reads from the file.
type Metadata struct {
	ID     string `json:"id"`
	Format string `json:"format"` // as detected from the bytes
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Bytes  int    `json:"bytes"`
}

func extract(ctx durable.ActivityContext) (any, error) {
	var ref ImageRef
	if err := ctx.GetInput(&ref); err != nil {
		return nil, fmt.Errorf("%s input: %w", ExtractActivity, err)
	}
	b, err := ref.fetch()
	if err != nil {
		return nil, err
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("image %s: read header: %w", ref.ID, err)
	}
	return Metadata{ID: ref.ID, Format: format, Width: cfg.Width, Height: cfg.Height, Bytes: len(b)}, nil
}

// Transformed is the metadata in the shape the store wants.
type Transformed struct {
	ID          string `json:"id"`
	Format      string `json:"format"` // upper case: JPEG, PNG
	Dimensions  string `json:"dimensions"`
	Orientation string `json:"orientation"` // landscape, portrait, square
	SizeKB      int    `json:"sizeKB"`
}

// Transform is TransformMetadata's pure function.
func Transform(m Metadata) Transformed {
	o := "square"
	if m.Width > m.Height {
		o = "landscape"
	} else if m.Width < m.Height {
		o = "portrait"
	}
	return Transformed{ID: m.ID, Format: strings.ToUpper(m.Format), Dimensions: fmt.Sprintf("%dx%d", m.Width, m.Height),
		Orientation: o, SizeKB: (m.Bytes + 1023) / 1024}
}

func transform(ctx durable.ActivityContext) (any, error) {
	var m Metadata
	if err := ctx.GetInput(&m); err != nil {
		return nil, fmt.Errorf("%s input: %w", TransformActivity, err)
	}
	return Transform(m), nil
}

// RekognitionInput asks for an image's labels. FailFirst makes the attempt
// whose task id is FirstTaskID fail, as a flaky remote service would.
type RekognitionInput struct {
	Image       ImageRef `json:"image"`
	FailFirst   bool     `json:"failFirst"`
	FirstTaskID int32    `json:"firstTaskId"`
}

// Recognition is Rekognition's answer.
type Recognition struct {
	Labels  []string `json:"labels"`
	Retried bool     `json:"retried"` // answered by a retry, not the first attempt
}

// ErrThrottled is the modeled remote service's transient failure.
const ErrThrottled = "rekognition: service throttled the request (modeled transient failure)"

func rekognition(ctx durable.ActivityContext) (any, error) {
	var in RekognitionInput
	if err := ctx.GetInput(&in); err != nil {
		return nil, fmt.Errorf("%s input: %w", RekognitionActivity, err)
	}
	first := ctx.TaskID() == in.FirstTaskID
	if in.FailFirst && first {
		return nil, fmt.Errorf("%s", ErrThrottled)
	}
	img, err := in.Image.decode()
	if err != nil {
		return nil, err
	}
	return Recognition{Labels: Labels(img), Retried: !first}, nil
}

// Thumb describes a generated thumbnail (the PNG itself goes to the
// modeled store; only its description travels).
type Thumb struct {
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Bytes    int    `json:"bytes"`
	Checksum uint64 `json:"checksum"` // FNV-1a 64 of the PNG
}

// ThumbInput asks for image's thumbnail with longer side Side.
type ThumbInput struct {
	Image ImageRef `json:"image"`
	Side  int      `json:"side"`
}

// MakeThumb decodes the image, resizes it and encodes the PNG.
func MakeThumb(in ThumbInput) (Thumb, error) {
	img, err := in.Image.decode()
	if err != nil {
		return Thumb{}, err
	}
	return thumbOf(img, in.Image.ID, in.Side)
}

// pngEncoder encodes as png.Encode does, reusing its compressors.
var pngEncoder = png.Encoder{BufferPool: &pngBuffers{}}

// pngBuffers is a png.EncoderBufferPool on a sync.Pool.
type pngBuffers struct{ p sync.Pool }

func (b *pngBuffers) Get() *png.EncoderBuffer {
	if e, ok := b.p.Get().(*png.EncoderBuffer); ok {
		return e
	}
	return nil
}

func (b *pngBuffers) Put(e *png.EncoderBuffer) { b.p.Put(e) }

// thumbOf is the thumbnail of img (image id) fitting side.
func thumbOf(img image.Image, id string, side int) (Thumb, error) {
	tw, th := ThumbSize(img.Bounds().Dx(), img.Bounds().Dy(), side)
	var buf bytes.Buffer
	if err := pngEncoder.Encode(&buf, Thumbnail(img, tw, th)); err != nil {
		return Thumb{}, fmt.Errorf("thumbnail of %s: %w", id, err)
	}
	h := fnv.New64a()
	h.Write(buf.Bytes())
	return Thumb{Width: tw, Height: th, Bytes: buf.Len(), Checksum: h.Sum64()}, nil
}

func thumbnail(ctx durable.ActivityContext) (any, error) {
	var in ThumbInput
	if err := ctx.GetInput(&in); err != nil {
		return nil, fmt.Errorf("%s input: %w", ThumbnailActivity, err)
	}
	return MakeThumb(in)
}

// Record is what StoreImageMetadata stores and the orchestration returns.
type Record struct {
	Metadata    Transformed `json:"metadata"`
	Recognition Recognition `json:"recognition"`
	Thumb       Thumb       `json:"thumb"`
}

func store(ctx durable.ActivityContext) (any, error) {
	var r Record
	if err := ctx.GetInput(&r); err != nil {
		return nil, fmt.Errorf("%s input: %w", StoreActivity, err)
	}
	if r.Metadata.ID == "" {
		return nil, fmt.Errorf("%s: record without an image id", StoreActivity)
	}
	return r, nil
}
