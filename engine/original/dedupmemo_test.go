package original

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// The memo hands back a set only for the exact bytes it was written with,
// once, and that set encodes to those bytes.
func TestDedupMemoOnlyForTheBytesWritten(t *testing.T) {
	d := dedupSet{}
	d.accept("a", 7)
	d.accept("b", 9)
	d.number("b", 3)
	enc := encodeDedup(d)
	var m dedupMemo
	m.put("@e@1", enc, d)
	require.Nil(t, m.take("@e@2", enc), "another instance")
	require.Nil(t, m.take("@e@1", append([]byte{}, enc[:len(enc)-1]...)), "other bytes")
	require.Nil(t, m.take("@e@1", enc), "a miss forgets the entry")
	m.put("@e@1", enc, d)
	got := m.take("@e@1", append([]byte{}, enc...))
	require.Equal(t, enc, encodeDedup(got))
	back, err := decodeDedup(enc)
	require.NoError(t, err)
	require.Equal(t, back, got)
	require.Nil(t, m.take("@e@1", enc), "taken once")
	for i := 0; i < maxDedupMemo+1; i++ {
		m.put(string(rune('a'+i%26))+string(rune(i)), enc, d)
	}
	require.LessOrEqual(t, len(m.rows), maxDedupMemo)
}

// The memo's encoding, which reuses unchanged senders' bytes, is
// encodeDedup's, as entries are accepted, numbered, trimmed and evicted
// and as the set is cloned or decoded again.
func TestDedupMemoEncodeMatches(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var m dedupMemo
	d := dedupSet{}
	for step := 0; step < 3000; step++ {
		for k := r.IntN(8); k > 0; k-- {
			s := fmt.Sprintf("@m@%d", r.IntN(40))
			d.accept(s, uint64(1+r.IntN(1<<20)))
			if r.IntN(4) == 0 {
				d.number(s, uint64(step))
			}
		}
		switch r.IntN(20) {
		case 0:
			d = d.clone()
		case 1:
			back, err := decodeDedup(encodeDedup(d))
			require.NoError(t, err)
			d = back
		}
		require.Equal(t, encodeDedup(d), m.encode("@e@1", d), "step %d", step)
	}
}
