package main

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"
)

// result is one configuration's figures over one batch of instances.
type result struct {
	n          int
	callers    int
	wall       time.Duration
	orchPerSec float64
	p50, p99   time.Duration
	cpuPerOrch time.Duration // user + sys of the whole process
	allocs     float64       // heap allocations per orchestration, whole process
}

// measure runs n Hello5 instances on r, callers at a time (each caller
// starts one and waits for it before the next), ids prefixed by tag.
func measure(ctx context.Context, r runner, tag string, n, callers int) (result, error) {
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	lat := make([]time.Duration, n)
	var (
		mu     sync.Mutex
		failed error
		wg     sync.WaitGroup
		ms0    runtime.MemStats
		ms1    runtime.MemStats
	)
	runtime.ReadMemStats(&ms0)
	cpu0 := cpuTime()
	t0 := time.Now()
	for range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				s := time.Now()
				err := r.run(ctx, fmt.Sprintf("%s-%d", tag, i))
				lat[i] = time.Since(s)
				if err != nil {
					mu.Lock()
					failed = cmpOr(failed, err)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(t0)
	cpu := cpuTime() - cpu0
	runtime.ReadMemStats(&ms1)
	if failed != nil {
		return result{}, failed
	}
	slices.Sort(lat)
	return result{n: n, callers: callers, wall: wall, orchPerSec: float64(n) / wall.Seconds(),
		p50: lat[n/2], p99: lat[min(n-1, n*99/100)], cpuPerOrch: cpu / time.Duration(n),
		allocs: float64(ms1.Mallocs-ms0.Mallocs) / float64(n)}, nil
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
