package replay_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/dflab/dflab/engine/durable"
	. "github.com/dflab/dflab/engine/replay"
)

// hello5Steps is the number of executor steps of one Hello5 instance: the
// start, then one step per activity completion.
const hello5Steps = 6

var greetings = func() [][]byte {
	out := make([][]byte, len(cities))
	for i, c := range cities {
		out[i] = []byte(fmt.Sprintf("%q", "Hello "+c+"!"))
	}
	return out
}()

// runHello5 drives one Hello5 instance through its six steps. With cursor
// set the executor is kept between steps (Netherite); otherwise every step
// replays the history so far (the original engine without extended sessions).
func runHello5(b *testing.B, reg *durable.Registry, cursor bool, hist []durable.Event) []durable.Event {
	hist = hist[:0]
	now := int64(1)
	x, r := Execute(reg, "h", nil, now, []durable.Event{{Kind: durable.ExecutionStarted, Name: "Hello5"}})
	hist = append(hist, r.History...)
	for i := range cities {
		now++
		ev := []durable.Event{{Kind: durable.TaskCompleted, ID: int32(i), Payload: greetings[i]}}
		if cursor {
			r = x.Step(now, ev)
		} else {
			x.Close()
			x, r = Execute(reg, "h", hist, now, ev)
		}
		hist = append(hist, r.History...)
	}
	x.Close()
	if r.Status != durable.StatusCompleted {
		b.Fatalf("status %v: %s", r.Status, r.Failure)
	}
	return hist
}

func BenchmarkHello5(b *testing.B) {
	for _, mode := range []struct {
		name   string
		cursor bool
	}{{"cursor", true}, {"replay", false}} {
		b.Run(mode.name, func(b *testing.B) {
			reg := baseRegistry(b)
			hist := make([]durable.Event, 0, 64)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				hist = runHello5(b, reg, mode.cursor, hist)
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			steps := float64(b.N * hello5Steps)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/steps, "ns/step")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/steps, "allocs/step")
		})
	}
}
