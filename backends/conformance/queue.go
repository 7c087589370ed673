package conformance

import "testing"

// TestQueue checks Queue and QueueAdmin.
func TestQueue(t *testing.T, b Backend) {
	for _, c := range queueCases {
		run(t, b, c.name, c.f)
	}
}
