package conformance

import "testing"

// TestBlob checks Blob, PageBlob, AppendBlob and Leases.
func TestBlob(t *testing.T, b Backend) {
	for _, c := range blobCases {
		run(t, b, c.name, c.f)
	}
}
