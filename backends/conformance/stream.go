package conformance

import "testing"

// TestStream checks Stream and, if present, Cursors.
func TestStream(t *testing.T, b Backend) {
	for _, c := range streamCases {
		run(t, b, c.name, c.f)
	}
}
