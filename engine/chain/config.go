package chain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dflab/dflab/engine/port"
)

// Trigger kinds.
const (
	TriggerQueue  = "queue"  // queue-triggered functions
	TriggerBlob   = "blob"   // blob-triggered functions (polling)
	TriggerLambda = "lambda" // S3-event-triggered functions (push, asynchronous)
)

// Planted bugs (for the fault campaign's tests that prove a checker fails).
const (
	// PlantedDeleteBeforeNext deletes a step's message before the next
	// step's message is written: a host that crashes between the two
	// loses the chain.
	PlantedDeleteBeforeNext = "delete-before-next"
)

// PlantedBugs lists the planted bugs.
var PlantedBugs = []string{PlantedDeleteBeforeNext}

// Listener are a queue listener's settings (host.json "queues").
type Listener struct {
	// MinPoll is the gap after a poll that found messages and the back-off's
	// base; MaxPoll its cap (maxPollingInterval).
	MinPoll, MaxPoll port.Time
	// BatchSize is how many messages a poll gets (batchSize, 1..32).
	BatchSize int
	// NewBatchThreshold: a new batch is fetched only while at most this
	// many messages run (newBatchThreshold).
	NewBatchThreshold int
	// Visibility is how long a dequeued message stays invisible (the host
	// renews it while the function runs; a crashed host's message
	// reappears after it).
	Visibility port.Time
	// RetryVisibility is when a message whose function failed reappears
	// (visibilityTimeout, default 0).
	RetryVisibility port.Time
	// MaxDequeueCount: a message dequeued this often whose function fails
	// again goes to the poison queue (maxDequeueCount).
	MaxDequeueCount int
}

// Host versions whose documented defaults Defaults knows.
const (
	HostCurrent = "current" // Functions host 4.x, storage extension 5.x
	Host2020    = "2020"    // the 2020 host (WebJobs SDK 3.x queue listener)
)

// HostVersions are the versions Defaults takes.
var HostVersions = []string{HostCurrent, Host2020}

// ListenerDefaults returns a host version's documented queue defaults for
// a node of cores cores: the current host polls 100 ms after a hit and
// about 200 ms after a first miss, newBatchThreshold N·batchSize/2 for N
// cores; the 2020 host 2 s after a hit and about 4 s after a miss (its
// QueuePollingIntervals minimum of 2 s), newBatchThreshold batchSize/2.
// Both: maxPollingInterval 1 min, batchSize 16, maxDequeueCount 5,
// visibilityTimeout 0, messages dequeued invisible for 10 min.
func ListenerDefaults(version string, cores int) Listener {
	l := Listener{MinPoll: 100 * port.Millisecond, MaxPoll: 60 * port.Second, BatchSize: 16, NewBatchThreshold: max(cores, 1) * 16 / 2,
		Visibility: 10 * 60 * port.Second, MaxDequeueCount: 5}
	if version == Host2020 {
		l.MinPoll, l.NewBatchThreshold = 2*port.Second, 16/2
	}
	return l
}

// Config configures a chain's cores.
type Config struct {
	// Hub names the chain's storage: queues "<hub>-chain", blobs
	// "<hub>-chain/...".
	Hub string
	// Trigger is TriggerQueue, TriggerBlob or TriggerLambda.
	Trigger string
	// Chains maps the orchestration names a start may give to the activity
	// each step runs. A start's input is an object {"length": n, "item":
	// v}: n steps, each calling the activity on the previous step's
	// output (the Sequence workload's input).
	Chains map[string]string
	// Queue is the queue listener (queue chain) or the internal queue's
	// listener (blob chain).
	Queue Listener
	// ScanInterval and ScanBudget are the blob trigger's container scan:
	// every 10 s, at most 10,000 blobs listed per scan.
	ScanInterval port.Time
	ScanBudget   int
	// SkewMargin is how far before the last complete sweep's start a blob
	// must have been written to be skipped by the next (clock skew).
	SkewMargin port.Time
	// ClaimTimeout is how long a host's claim on a blob receipt holds (a
	// lease on the receipt in the host) before another host may take it.
	ClaimTimeout port.Time
	// EventDelay is the Lambda chain's S3 event delivery and asynchronous
	// invocation delay (the simulator sets it from its model set).
	EventDelay port.Time
	// WaitPoll is the gap of the frontend's re-reads of a chain's done
	// blob for a waiting client.
	WaitPoll port.Time
	// Node names the host in receipts' claims; Seed seeds its jitter.
	Node string
	Seed uint64
	// Planted is a planted bug ("": none).
	Planted string
	// Logf receives notable events (nil: dropped).
	Logf func(format string, args ...any)
}

// Defaults returns a chain of trigger on hub with the current host's
// defaults on nodes of cores cores.
func Defaults(hub, trigger string, chains map[string]string, cores int) Config {
	return Config{Hub: hub, Trigger: trigger, Chains: chains, Queue: ListenerDefaults(HostCurrent, cores),
		ScanInterval: 10 * port.Second, ScanBudget: 10000, SkewMargin: 2 * port.Second, ClaimTimeout: 15 * port.Second,
		EventDelay: 0, WaitPoll: 20 * port.Millisecond, Node: "host"}
}

// Validate checks the configuration, naming the field.
func (c Config) Validate() error {
	d := func(t port.Time) time.Duration { return time.Duration(t) }
	l := c.Queue
	switch {
	case c.Hub == "" || strings.ContainsAny(c.Hub, "/ _") || strings.ToLower(c.Hub) != c.Hub:
		return fmt.Errorf("chain: Config.Hub = %q: want a non-empty lower-case name without '/', '_' or spaces", c.Hub)
	case !slices.Contains([]string{TriggerQueue, TriggerBlob, TriggerLambda}, c.Trigger):
		return fmt.Errorf("chain: Config.Trigger = %q: allowed %s, %s, %s", c.Trigger, TriggerQueue, TriggerBlob, TriggerLambda)
	case len(c.Chains) == 0:
		return fmt.Errorf("chain: Config.Chains is empty: name at least one orchestration and its step activity")
	case l.MinPoll < port.Millisecond || l.MaxPoll < l.MinPoll || l.MaxPoll > 10*60*port.Second:
		return fmt.Errorf("chain: Config.Queue.MinPoll = %v, MaxPoll = %v: want 1ms <= MinPoll <= MaxPoll <= 10m", d(l.MinPoll), d(l.MaxPoll))
	case l.BatchSize < 1 || l.BatchSize > port.MaxDequeue:
		return fmt.Errorf("chain: Config.Queue.BatchSize = %d: want 1..%d", l.BatchSize, port.MaxDequeue)
	case l.NewBatchThreshold < 0:
		return fmt.Errorf("chain: Config.Queue.NewBatchThreshold = %d: want >= 0", l.NewBatchThreshold)
	case l.Visibility < port.MinDequeueTimeout || l.Visibility > port.MaxVisibility:
		return fmt.Errorf("chain: Config.Queue.Visibility = %v: want 1s..7d", d(l.Visibility))
	case l.RetryVisibility < 0 || l.RetryVisibility > port.MaxVisibility:
		return fmt.Errorf("chain: Config.Queue.RetryVisibility = %v: want 0..7d", d(l.RetryVisibility))
	case l.MaxDequeueCount < 1:
		return fmt.Errorf("chain: Config.Queue.MaxDequeueCount = %d: want >= 1", l.MaxDequeueCount)
	case c.ScanInterval < port.Millisecond || c.ScanBudget < 1:
		return fmt.Errorf("chain: Config.ScanInterval = %v, ScanBudget = %d: want >= 1ms and >= 1", d(c.ScanInterval), c.ScanBudget)
	case c.SkewMargin < 0 || c.ClaimTimeout < port.Millisecond || c.EventDelay < 0 || c.WaitPoll < port.Millisecond:
		return fmt.Errorf("chain: Config.SkewMargin = %v, ClaimTimeout = %v, EventDelay = %v, WaitPoll = %v: want >= 0, >= 1ms, >= 0, >= 1ms",
			d(c.SkewMargin), d(c.ClaimTimeout), d(c.EventDelay), d(c.WaitPoll))
	case c.Planted != "" && !slices.Contains(PlantedBugs, c.Planted):
		return fmt.Errorf("chain: Config.Planted = %q: allowed %s", c.Planted, strings.Join(PlantedBugs, ", "))
	}
	return nil
}

// Storage names.
func (c Config) queue() string         { return c.Hub + "-chain" }
func (c Config) poison() string        { return c.Hub + "-chain-poison" }
func (c Config) blobQueue() string     { return c.Hub + "-chain-blobs" }
func (c Config) stepPrefix() string    { return c.Hub + "-chain/steps/" }
func (c Config) run(id string) string  { return c.Hub + "-chain/runs/" + id }
func (c Config) done(id string) string { return c.Hub + "-chain/done/" + id }
func (c Config) receipt(blob, etag string) string {
	return c.Hub + "-chain/receipts/" + strings.TrimPrefix(blob, c.stepPrefix()) + "@" + strings.Trim(etag, `"`)
}
func (c Config) scanClaim() string { return c.Hub + "-chain/scan-claim" }

func (c Config) stepBlob(instance string, step int) string {
	return fmt.Sprintf("%s%s/%06d", c.stepPrefix(), instance, step)
}

func (c Config) chainNames() string {
	ns := make([]string, 0, len(c.Chains))
	for n := range c.Chains {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	return strings.Join(ns, ", ")
}
