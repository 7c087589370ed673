package conformance

import "testing"

// TestTable checks Table.
func TestTable(t *testing.T, b Backend) {
	for _, c := range tableCases {
		run(t, b, c.name, c.f)
	}
}
