package original

import (
	"fmt"
	"testing"
)

// rowKey reads as fmt's %010d, so history rows sort by sequence number.
func TestRowKeyIsZeroPadded(t *testing.T) {
	for _, seq := range []int{0, 1, 42, 999999999, 1000000000, 12345678901, -3} {
		if got, want := rowKey(seq), fmt.Sprintf("%010d", seq); got != want {
			t.Errorf("rowKey(%d) = %q, want %q", seq, got, want)
		}
	}
}
