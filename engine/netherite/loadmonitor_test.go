package netherite

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dflab/dflab/engine/durable"
)

func TestBalanceMovesWaitingActivitiesToTheLightestNode(t *testing.T) {
	busy := loadInfo{Node: "a", Queued: 10, Running: 4, Capacity: 4}
	idle := loadInfo{Node: "b", Capacity: 4}
	half := loadInfo{Node: "c", Running: 2, Capacity: 4}
	for _, c := range []struct {
		name  string
		loads map[int]loadInfo
		want  []advice
	}{
		{"one busy, one idle", map[int]loadInfo{0: busy, 1: idle}, []advice{{0, 1, 4}}},
		{"the idle node first, then the half-loaded", map[int]loadInfo{0: busy, 1: idle, 2: half},
			[]advice{{0, 1, 4}, {0, 2, 2}}},
		{"a single node keeps its work", map[int]loadInfo{0: busy, 1: {Node: "a", Capacity: 4}}, nil},
		{"nothing waits", map[int]loadInfo{0: {Node: "a", Running: 4, Capacity: 4}, 1: idle}, nil},
		{"no free slot elsewhere", map[int]loadInfo{0: busy, 1: {Node: "b", Running: 4, Capacity: 4}}, nil},
		{"a small difference stays", map[int]loadInfo{0: {Node: "a", Queued: 1, Running: 4, Capacity: 4},
			1: {Node: "b", Running: 4, Capacity: 8}}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, balance(c.loads))
		})
	}
}

func TestRecommendationFollowsSustainedLoad(t *testing.T) {
	cfg := &Config{Hub: "h", Partitions: 4, Clients: 1, Registry: durable.NewRegistry()}
	m, err := NewLoadMonitor(cfg)
	require.NoError(t, err)
	set := func(queued, running int) {
		m.loads = map[int]loadInfo{
			0: {Partition: 0, Node: "a", Queued: queued, Running: running, Capacity: 4},
			1: {Partition: 1, Node: "b", Running: running, Capacity: 4},
		}
	}
	set(0, 2)
	m.recommend()
	require.Equal(t, 2, m.Recommendation().Nodes, "load fits the two nodes it runs on")
	set(6, 4)
	m.recommend()
	m.recommend()
	require.Equal(t, 2, m.Recommendation().Nodes, "two rounds of waiting are not enough")
	m.recommend()
	require.Equal(t, 3, m.Recommendation().Nodes)
	require.Contains(t, m.Recommendation().Reason, "6 activities waiting")
	set(0, 0)
	for i := 0; i < scaleRounds; i++ {
		m.recommend()
	}
	require.Equal(t, 1, m.Recommendation().Nodes)
	require.Contains(t, m.Recommendation().Reason, "idle for 3 rounds")
}
