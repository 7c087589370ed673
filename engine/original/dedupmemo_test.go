package original

import (
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
	require.LessOrEqual(t, len(m), maxDedupMemo)
}
