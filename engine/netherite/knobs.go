package netherite

import (
	"fmt"
	"strings"

	"github.com/dflab/dflab/engine/durable"
	"github.com/dflab/dflab/engine/port"
)

// Speculation is when a partition applies an update relative to its commit.
type Speculation uint8

// Speculation levels (DESIGN.md, "Netherite engine").
const (
	// SpeculationLocal (default): apply at once; remote sends and client
	// responses wait in the outbox until their update is durable.
	SpeculationLocal Speculation = iota
	// SpeculationNone: apply an update only once it is durable.
	SpeculationNone
	// SpeculationGlobal: apply at once and send to partitions at once;
	// receivers flush nothing past an input its sender has not confirmed
	// durable, and roll back (soft restart) if a sender lost one (see
	// global.go). Client responses still wait until durable.
	SpeculationGlobal
)

var speculationNames = [...]string{"local", "none", "global"}

func (s Speculation) String() string {
	if int(s) < len(speculationNames) {
		return speculationNames[s]
	}
	return fmt.Sprintf("Speculation(%d)", uint8(s))
}

// ParseSpeculation parses "none", "local" or "global".
func ParseSpeculation(s string) (Speculation, error) {
	for i, n := range speculationNames {
		if n == s {
			return Speculation(i), nil
		}
	}
	return 0, fmt.Errorf("speculation %q: allowed none, local, global", s)
}

// Knobs tune a Netherite task hub. The zero value of a field means its
// default (DefaultKnobs); Validate rejects values out of range.
type Knobs struct {
	Speculation Speculation
	// MaxActivities is the number of activities a partition runs at once.
	MaxActivities int
	// PollInterval is how long a core waits to re-read an empty stream.
	PollInterval port.Time
	// LogBytes is the size of a partition's commit log page blob. The log
	// is circular (commitlog.go): a checkpoint is due at the latest when a
	// quarter of it was written since the last one, one flush takes at most
	// an eighth, and a partition with half of it live takes no new work
	// until a checkpoint lands. A burst larger than that does not fit.
	LogBytes int64
	// Checkpoint thresholds: log bytes, update events and idle time since
	// the last checkpoint. Negative CheckpointEvents disables checkpoints.
	CheckpointBytes  int64
	CheckpointEvents int
	CheckpointIdle   port.Time
	// LeaseDuration is the partition lease's duration (15s..60s); the lease
	// is renewed every third of it.
	LeaseDuration port.Time
	// MaxReadRecords is the most stream records one read asks for.
	MaxReadRecords int
	// MaxFailedLives is how many lives of a partition in a row may end in
	// a storage error (restart.go) before the partition is reported failed
	// for good, so that its calls fail with the error instead of waiting
	// while it restarts forever. A life that made progress (a log flush or
	// a lease renewal succeeded) ends the streak. With AcquireRetry between
	// lives, the default (10) fails a partition after at least 10 s of
	// storage that never works; negative: restart forever.
	MaxFailedLives int
	// AcquireRetry is how long a core waits to try again for a lease
	// another core holds (a standby waiting for a partition move).
	AcquireRetry port.Time
	// TakeoverPoll is how often a standby core (NewStandby) of rank 1
	// tries for the lease of a partition another core holds, so that it
	// takes the partition over once the lease expires (its owner crashed
	// and did not come back); the standby of rank r tries every r times
	// TakeoverPoll (standby.go).
	TakeoverPoll port.Time
	// LoadReport is how often a partition reports its load to the load
	// monitor, which offloads queued activities from busy nodes to idle
	// ones and recommends a node count (loadmonitor.go). Negative: no
	// reports, so no offloading.
	LoadReport port.Time
	// ReplayCheck re-runs every orchestration step from the instance's
	// history instead of resuming its cached executor, so that IsReplaying
	// and nondeterminism detection behave as on an engine without a cache
	// (the original engine without extended sessions): on in tests and the
	// fault campaign, off by default (it costs a replay per step).
	ReplayCheck bool
	// SyncLog syncs the commit log (port.BlobSync) after each page write
	// and counts the write durable only then, for storage that
	// acknowledges page writes before they are durable (a local disk: the
	// disk backend with SyncOnFlush, the simulator's disk-like store).
	// Off by default: Azure page blobs are durable when acknowledged.
	SyncLog bool
	// Planted switches on one planted bug (Planted* constants), for the
	// fault campaign's tests that prove its checkers can fail. "" (the
	// default) is none; no other use.
	Planted string
}

// Planted bugs (Knobs.Planted). Each breaks the engine as a real bug would.
const (
	// PlantedSkipDedup: receivers keep duplicate stream batches.
	PlantedSkipDedup = "skip-dedup"
	// PlantedSendBeforePersist: under local speculation, outbox entries
	// leave before their update is durable.
	PlantedSendBeforePersist = "send-before-persist"
	// PlantedForgetInputPosition: recovery ignores the input position the
	// checkpoint and log recorded and resumes the input stream at its end.
	PlantedForgetInputPosition = "forget-input-position"
	// PlantedDropLogTail: a flush of several updates writes all but the
	// last, yet reports every one durable.
	PlantedDropLogTail = "drop-log-tail"
	// PlantedSkipLogSync: with SyncLog on, a log write counts durable once
	// acknowledged, without the sync (on a disk-like store a crash that
	// loses unsynced writes then loses acknowledged updates).
	PlantedSkipLogSync = "skip-log-sync"
)

// PlantedBugs lists the allowed values of Knobs.Planted besides "".
var PlantedBugs = []string{PlantedSkipDedup, PlantedSendBeforePersist, PlantedForgetInputPosition, PlantedDropLogTail, PlantedSkipLogSync}

func validPlanted(p string) error {
	if p == "" {
		return nil
	}
	for _, b := range PlantedBugs {
		if b == p {
			return nil
		}
	}
	return fmt.Errorf("knob Planted = %q: allowed \"\" (none), %s", p, strings.Join(PlantedBugs, ", "))
}

// DefaultKnobs are the defaults of every knob.
func DefaultKnobs() Knobs {
	return Knobs{
		Speculation:      SpeculationLocal,
		MaxActivities:    100,
		PollInterval:     5 * port.Millisecond,
		LogBytes:         64 << 20,
		CheckpointBytes:  20 << 20,
		CheckpointEvents: 10000,
		CheckpointIdle:   60 * port.Second,
		LeaseDuration:    60 * port.Second,
		MaxReadRecords:   1000,
		MaxFailedLives:   10,
		AcquireRetry:     port.Second,
		TakeoverPoll:     10 * port.Second,
		LoadReport:       port.Second,
	}
}

// withDefaults fills zero fields with their defaults.
func (k Knobs) withDefaults() Knobs {
	d := DefaultKnobs()
	if k.MaxActivities == 0 {
		k.MaxActivities = d.MaxActivities
	}
	if k.PollInterval == 0 {
		k.PollInterval = d.PollInterval
	}
	if k.LogBytes == 0 {
		k.LogBytes = d.LogBytes
	}
	if k.CheckpointBytes == 0 {
		k.CheckpointBytes = d.CheckpointBytes
	}
	if k.CheckpointEvents == 0 {
		k.CheckpointEvents = d.CheckpointEvents
	}
	if k.CheckpointIdle == 0 {
		k.CheckpointIdle = d.CheckpointIdle
	}
	if k.LeaseDuration == 0 {
		k.LeaseDuration = d.LeaseDuration
	}
	if k.AcquireRetry == 0 {
		k.AcquireRetry = d.AcquireRetry
	}
	if k.TakeoverPoll == 0 {
		k.TakeoverPoll = d.TakeoverPoll
	}
	if k.LoadReport == 0 {
		k.LoadReport = d.LoadReport
	}
	if k.MaxReadRecords == 0 {
		k.MaxReadRecords = d.MaxReadRecords
	}
	if k.MaxFailedLives == 0 {
		k.MaxFailedLives = d.MaxFailedLives
	}
	return k
}

// Validate checks every knob (after defaults) and names the first bad one.
func (k Knobs) Validate() error {
	k = k.withDefaults()
	switch {
	case k.Speculation > SpeculationGlobal:
		return fmt.Errorf("knob Speculation = %d: allowed none, local, global", k.Speculation)
	case k.MaxActivities < 1:
		return fmt.Errorf("knob MaxActivities = %d: allowed >= 1", k.MaxActivities)
	case k.PollInterval < 0:
		return fmt.Errorf("knob PollInterval = %d: allowed > 0", k.PollInterval)
	case k.LogBytes < 64*port.PageSize || k.LogBytes%port.PageSize != 0 || k.LogBytes > port.MaxPageBlobBytes:
		return fmt.Errorf("knob LogBytes = %d: allowed a multiple of 512 in 32 KiB..8 TiB", k.LogBytes)
	case k.CheckpointBytes < 0:
		return fmt.Errorf("knob CheckpointBytes = %d: allowed > 0", k.CheckpointBytes)
	case k.CheckpointIdle < 0:
		return fmt.Errorf("knob CheckpointIdle = %d: allowed > 0", k.CheckpointIdle)
	case k.LeaseDuration < port.LeaseMin || k.LeaseDuration > port.LeaseMax:
		return fmt.Errorf("knob LeaseDuration = %d: allowed 15s..60s", k.LeaseDuration)
	case k.AcquireRetry < 0:
		return fmt.Errorf("knob AcquireRetry = %d: allowed > 0", k.AcquireRetry)
	case k.TakeoverPoll < 0:
		return fmt.Errorf("knob TakeoverPoll = %d: allowed > 0", k.TakeoverPoll)
	case k.MaxReadRecords < 1 || k.MaxReadRecords > port.MaxStreamRead:
		return fmt.Errorf("knob MaxReadRecords = %d: allowed 1..%d", k.MaxReadRecords, port.MaxStreamRead)
	}
	return validPlanted(k.Planted)
}

// Config describes a task hub: its name, shape, code and knobs.
type Config struct {
	// Hub names the task hub; blob names start with it.
	Hub string
	// Partitions is P, fixed per hub (1..1024 here; Netherite used 1..32).
	Partitions int
	// Clients is the number of client cores; client c reads stream
	// partition Partitions+c.
	Clients  int
	Registry *durable.Registry
	Knobs    Knobs
	// Logf, if set, receives notable events (torn log tails, lease loss).
	Logf func(format string, args ...any)
}

// Validate checks the config and its knobs.
func (c *Config) Validate() error {
	switch {
	case c.Hub == "":
		return fmt.Errorf("config Hub is empty: allowed a non-empty name")
	case c.Partitions < 1 || c.Partitions > 1024:
		return fmt.Errorf("config Partitions = %d: allowed 1..1024", c.Partitions)
	case c.Clients < 1:
		return fmt.Errorf("config Clients = %d: allowed >= 1", c.Clients)
	case c.Registry == nil:
		return fmt.Errorf("config Registry is nil: allowed a *durable.Registry")
	}
	if err := c.Knobs.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// StreamPartitions is how many stream partitions the hub needs: one per
// partition, one per client, one for the load monitor.
func (c *Config) StreamPartitions() int { return c.Partitions + c.Clients + 1 }

// monitorStream is the load monitor's stream partition.
func (c *Config) monitorStream() int { return c.Partitions + c.Clients }

func (c *Config) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

func (c *Config) prefix(p int) string  { return fmt.Sprintf("%s/p%02d", c.Hub, p) }
func (c *Config) logName(p int) string { return c.prefix(p) + "/log" }
func (c *Config) ckptName(p int) string {
	return c.prefix(p) + "/checkpoint"
}
