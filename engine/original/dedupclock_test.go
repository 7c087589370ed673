package original

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// acceptAt with a kept clock leaves the same set as accept, which walks
// the set for its clock on every message: duplicates, trims past
// dedupPerSender, and evictions (including of the sender just touched,
// when every other sender is numbered).
func TestDedupAcceptAtKeepsTheClock(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		plain, kept := dedupSet{}, dedupSet{}
		senders := 8 + r.IntN(dedupSenders+64)
		clock := kept.clock()
		for i := 0; i < 6000; i++ {
			s := fmt.Sprintf("s%d", r.IntN(senders))
			seq := uint64(1 + r.IntN(100))
			if r.IntN(3) == 0 && seed%2 == 0 {
				plain.number(s, uint64(i+1))
				kept.number(s, uint64(i+1))
			}
			want := plain.accept(s, seq)
			var got bool
			got, clock = kept.acceptAt(s, seq, clock)
			require.Equal(t, want, got, "seed %d message %d", seed, i)
			require.Equal(t, plain.clock(), clock, "seed %d message %d", seed, i)
		}
		require.Equal(t, encodeDedup(plain), encodeDedup(kept), "seed %d", seed)
	}
}
