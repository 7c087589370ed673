package nats

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A three-server cluster keeps R3 streams going when one server stops: an
// append acknowledged before the stop is read after it, and appends go on.
func TestClusterR3SurvivesOneServer(t *testing.T) {
	c, err := StartCluster(t.TempDir(), 3, false)
	require.NoError(t, err)
	t.Cleanup(c.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, Options{URL: c.URLs(), Name: "r3", Partitions: 2, Replicas: 3})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Append(ctx, 1, [][]byte{[]byte("a")})
	require.NoError(t, err)
	c.StopServer(0)
	_, err = s.Append(ctx, 1, [][]byte{[]byte("b")})
	require.NoError(t, err)
	recs, err := s.Read(ctx, 1, 0, 10)
	require.NoError(t, err)
	require.Len(t, recs.Records, 2)
}

// Workers of a cluster start together and each opens the same R3 streams:
// the meta leader answers only one of identical concurrent creations (the
// others' requests go unanswered), so each open retries its unanswered
// requests and all succeed.
func TestClusterR3ConcurrentOpen(t *testing.T) {
	c, err := StartCluster(t.TempDir(), 3, false)
	require.NoError(t, err)
	t.Cleanup(c.Stop)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			s, err := Open(ctx, Options{URL: c.URLs(), Name: "r3", Partitions: 6, Replicas: 3})
			errs[i] = err
			if err == nil {
				s.Close()
			}
		}(i)
	}
	wg.Wait()
	for _, e := range errs {
		require.NoError(t, e)
	}
}
