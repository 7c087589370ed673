package inject_test

import (
	"context"
	"fmt"

	"github.com/dflab/dflab/backends/mem"
	"github.com/dflab/dflab/engine/port"
	"github.com/dflab/dflab/faults/inject"
	"github.com/dflab/dflab/faults/plan"
	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/sim/rng"
)

// Wiring an injector into a simulation: the kernel's clock, a substream of
// the run's seed, no Sleep (the driver applies latency faults through
// Injector.Latency), the injector in the driver's middleware chain, and the timed
// actions scheduled as kernel events.
func Example() {
	p, err := plan.Parse(`
		at 5s crash node1
		at 8s restart node1
		storage error p=1 op=queue-enqueue 1s..2s
	`)
	if err != nil {
		panic(err)
	}
	k := sim.NewKernel(0)
	store, _ := mem.New(k.Now, mem.Options{})
	in, err := inject.New(inject.Config{Plan: p, Clock: k.Now, Rand: rng.New(7).Fork("faults")})
	if err != nil {
		panic(err)
	}
	d := sim.NewDriver(k, sim.Config{Seed: 7, Stores: store.Stores(), Middleware: []port.Middleware{in.Middleware}})
	nodes := map[string]sim.NodeID{"node1": d.AddNode("node1", 4)}
	if err := in.Schedule(inject.SimScheduler(k), &inject.SimTarget{Driver: d, Nodes: nodes}); err != nil {
		panic(err)
	}

	// An engine core would issue this through the driver; call it directly.
	exec := port.Chain(store.Stores(), in.Middleware)
	_, _ = exec(context.Background(), port.QueueCreate{Queue: "work-items"})
	k.RunUntil(1500 * port.Millisecond)
	_, err = exec(context.Background(), port.QueueEnqueue{Queue: "work-items", Data: []byte("m")})
	fmt.Println(err)
	d.Run()
	fmt.Println(d.Stats().Crashes, d.Stats().Restarts)
	for _, c := range in.Counts() {
		fmt.Println(c.Fault, c.What, c.N)
	}
	// Output:
	// queue-enqueue: injected transient error before apply (storage error p=1 op=queue-enqueue 1s..2s)
	// 1 1
	// crash node1 1
	// error queue-enqueue 1
	// restart node1 1
}
