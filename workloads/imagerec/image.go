package imagerec

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"

	"github.com/dflab/dflab/sim/rng"
)

// Image formats a spec may ask for. Only JPEG and PNG pass the workflow's
// type check; GIF images exist to exercise the failure path.
const (
	FormatJPEG = "jpeg"
	FormatPNG  = "png"
	FormatGIF  = "gif"
)

// KnownFormats are the formats Generate can encode.
var KnownFormats = []string{FormatJPEG, FormatPNG, FormatGIF}

// Spec describes a generated image.
type Spec struct {
	Seed   uint64 `json:"seed"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Format string `json:"format"`
}

// Render draws the picture of spec: a two-colour diagonal gradient with
// a few solid rectangles, colours from the seed.
func Render(s Spec) *image.RGBA {
	r := rng.New(s.Seed)
	c0 := randomColor(r)
	c1 := randomColor(r)
	img := image.NewRGBA(image.Rect(0, 0, s.Width, s.Height))
	span := s.Width + s.Height
	for y := 0; y < s.Height; y++ {
		for x := 0; x < s.Width; x++ {
			img.SetRGBA(x, y, mix(c0, c1, x+y, span))
		}
	}
	for k := 0; k < 3; k++ {
		c := randomColor(r)
		x0, y0 := r.Intn(s.Width), r.Intn(s.Height)
		x1, y1 := x0+1+r.Intn(s.Width/3+1), y0+1+r.Intn(s.Height/3+1)
		for y := y0; y < min(y1, s.Height); y++ {
			for x := x0; x < min(x1, s.Width); x++ {
				img.SetRGBA(x, y, c)
			}
		}
	}
	return img
}

func randomColor(r *rng.Source) color.RGBA {
	return color.RGBA{R: uint8(r.Intn(256)), G: uint8(r.Intn(256)), B: uint8(r.Intn(256)), A: 255}
}

func mix(a, b color.RGBA, num, den int) color.RGBA {
	f := func(x, y uint8) uint8 { return uint8((int(x)*(den-num) + int(y)*num) / den) }
	return color.RGBA{R: f(a.R, b.R), G: f(a.G, b.G), B: f(a.B, b.B), A: 255}
}

// Generate renders spec and encodes it in its format.
func Generate(s Spec) ([]byte, error) {
	if s.Width < 1 || s.Height < 1 {
		return nil, fmt.Errorf("image spec %dx%d: width and height must be >= 1", s.Width, s.Height)
	}
	img := Render(s)
	var buf bytes.Buffer
	var err error
	switch s.Format {
	case FormatJPEG:
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
	case FormatPNG:
		err = pngEncoder.Encode(&buf, img)
	case FormatGIF:
		err = gif.Encode(&buf, img, nil)
	default:
		return nil, fmt.Errorf("image spec format %q: want one of %v", s.Format, KnownFormats)
	}
	if err != nil {
		return nil, fmt.Errorf("encode %s image: %w", s.Format, err)
	}
	return buf.Bytes(), nil
}

// ThumbSize is the size of the thumbnail of a w×h image whose longer side
// is scaled to side (images already small enough keep their size).
func ThumbSize(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, h*side/w)
	}
	return max(1, w*side/h), side
}

// Thumbnail resizes img to tw×th with a box filter: each output pixel is
// the mean of the source pixels its box covers.
func Thumbnail(img image.Image, tw, th int) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewRGBA(image.Rect(0, 0, tw, th))
	for ty := 0; ty < th; ty++ {
		y0, y1 := ty*h/th, max((ty+1)*h/th, ty*h/th+1)
		for tx := 0; tx < tw; tx++ {
			x0, x1 := tx*w/tw, max((tx+1)*w/tw, tx*w/tw+1)
			sr, sg, sb, n := sumRGB(img, b.Min.X+x0, b.Min.Y+y0, b.Min.X+x1, b.Min.Y+y1)
			out.SetRGBA(tx, ty, color.RGBA{R: uint8(sr / n), G: uint8(sg / n), B: uint8(sb / n), A: 255})
		}
	}
	return out
}

// Labels are the "recognised" labels of an image: its dominant channel
// and its brightness, from the mean colour.
func Labels(img image.Image) []string {
	b := img.Bounds()
	sr, sg, sb, n := sumRGB(img, b.Min.X, b.Min.Y, b.Max.X, b.Max.Y)
	r, g, bl := sr/n, sg/n, sb/n
	hue := "blue"
	switch {
	case r >= g && r >= bl:
		hue = "red"
	case g >= bl:
		hue = "green"
	}
	light := "dark"
	if (r+g+bl)/3 >= 128 {
		light = "bright"
	}
	return []string{hue, light}
}

// sumRGB sums the 8-bit red, green and blue (the high byte of each
// colour's RGBA) of img's pixels in [x0,x1)×[y0,y1), and counts them. The
// decoders' image types are read through their concrete colour types (the
// same values as At(x, y).RGBA(), without a boxed color.Color per pixel).
func sumRGB(img image.Image, x0, y0, x1, y1 int) (sr, sg, sb, n uint64) {
	at := func(x, y int) (r, g, b, a uint32) { return img.At(x, y).RGBA() }
	switch m := img.(type) {
	case *image.RGBA:
		at = func(x, y int) (r, g, b, a uint32) { return m.RGBAAt(x, y).RGBA() }
	case *image.NRGBA:
		at = func(x, y int) (r, g, b, a uint32) { return m.NRGBAAt(x, y).RGBA() }
	case *image.YCbCr:
		at = func(x, y int) (r, g, b, a uint32) { return m.YCbCrAt(x, y).RGBA() }
	case *image.Gray:
		at = func(x, y int) (r, g, b, a uint32) { return m.GrayAt(x, y).RGBA() }
	}
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			r, g, b, _ := at(x, y)
			sr, sg, sb, n = sr+uint64(r>>8), sg+uint64(g>>8), sb+uint64(b>>8), n+1
		}
	}
	return sr, sg, sb, n
}
