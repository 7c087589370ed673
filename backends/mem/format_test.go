package mem

import (
	"fmt"
	"testing"

	"github.com/dflab/dflab/engine/port"
)

// The ETags, pop receipts and message ids are formatted without fmt; they
// read exactly as fmt's "0x%X", r%d and m%08d did.
func TestIDsReadAsFmt(t *testing.T) {
	for _, v := range []uint64{0, 1, 9, 10, 15, 255, 4096, 99999999, 100000000, 1<<64 - 1} {
		if got, want := string(appendUpperHex(nil, v)), fmt.Sprintf("%X", v); got != want {
			t.Errorf("appendUpperHex(%d) = %s, want %s", v, got, want)
		}
		if got, want := string(appendPadded(nil, v, 8)), fmt.Sprintf("%08d", v); got != want {
			t.Errorf("appendPadded(%d, 8) = %s, want %s", v, got, want)
		}
	}
	s, err := New(func() port.Time { return 0 }, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.etag(); got != `"0x1"` {
		t.Errorf("first etag %s", got)
	}
	if got := s.messageID(); got != "m00000002" {
		t.Errorf("second id %s", got)
	}
	if got := s.receipt(); got != "r3" {
		t.Errorf("third receipt %s", got)
	}
}
