// Package imagerec is the paper's image-recognition workflow:
// ExtractImageMetadata → type check (JPEG or PNG, else the orchestration
// fails with a clear error) → TransformMetadata → in parallel
// {Rekognition, retried twice with back-off 1 s × 1.5 through
// durable.WithRetry; GenerateThumbnail} → StoreImageMetadata.
//
// The steps do real work with the standard library's image packages on
// images generated deterministically from a spec (seed, size, format):
// decode, read format and dimensions, compute colour labels, resize to a
// thumbnail with a box filter. Rekognition stands for a remote service:
// its cost model has a modeled remote latency, and it fails the first
// attempt of a configurable fraction of images (decided per image when the
// requests are generated) so the retry path is exercised.
package imagerec
