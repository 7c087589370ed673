package disk

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// The ETag is formatted without fmt on the write path; it must read as it
// always has: the incarnation as 16 hex digits, a dash, the generation.
func TestETagFormat(t *testing.T) {
	for _, h := range []header{{}, {inc: 1, gen: 1}, {inc: 0xdeadbeef, gen: 42}, {inc: ^uint64(0), gen: ^uint64(0)}} {
		require.Equal(t, fmt.Sprintf("\"%016x-%d\"", h.inc, h.gen), h.etag())
	}
}
