package workflow

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dflab/dflab/engine/port"

	"github.com/dflab/dflab/engine/workflow/asl"
)

// Published quotas of Standard workflows (big regions, 2023) and price.
const (
	DefaultTransitionBucket = 5000
	DefaultTransitionRefill = 1500 // per second
	DefaultStartBucket      = 1300
	DefaultStartRefill      = 300 // per second
	// DollarsPerTransition is the Standard price: $0.025 per 1,000.
	DollarsPerTransition = 0.025 / 1000
)

// Planted bugs (for the fault campaign's tests that prove a checker fails).
const (
	// PlantedInvokeBeforeRecord invokes a round's tasks as the round is
	// made, before it is recorded, and so not again when the service
	// resumes from the record: a task in flight at a crash is lost.
	PlantedInvokeBeforeRecord = "invoke-before-record"
	// PlantedLoseResult drops every third task result: the execution
	// waits for a result that never comes.
	PlantedLoseResult = "lose-result"
)

// PlantedBugs lists the planted bugs.
var PlantedBugs = []string{PlantedInvokeBeforeRecord, PlantedLoseResult}

// Config configures a service core.
type Config struct {
	// Hub names the service's storage: its blobs are "<Hub>-wf/<name>".
	Hub string
	// Definitions are the state machines by the orchestration name a
	// start request gives.
	Definitions map[string]*asl.Definition
	// Token buckets (capacity, refill per second; capacity 0: no quota).
	TransitionBucket, TransitionRefill int64
	StartBucket, StartRefill           int64
	// WaitPollMin and WaitPollMax bound the frontend's re-reads of an
	// unfinished execution a wait request waits for (the gap grows by a
	// quarter per read); InboxPollMin and InboxPollMax bound the service's
	// reads of the inbox (the gap doubles per read that finds nothing).
	WaitPollMin, WaitPollMax   port.Time
	InboxPollMin, InboxPollMax port.Time
	// TransitionLatency is the service's own time per state transition
	// (its scheduling and history write beyond the execution record's
	// storage round trip): a round of n transitions waits n times it
	// before its record is written. 0 (real runs: the storage's own
	// latency is all there is); the simulator sets the model set's
	// ServiceMs["workflow-transition"].
	TransitionLatency port.Time
	// Planted is a planted bug ("": none).
	Planted string
	// Logf receives notable events (nil: dropped).
	Logf func(format string, args ...any)
}

// Defaults returns the published quotas for hub and definitions.
func Defaults(hub string, defs map[string]*asl.Definition) Config {
	return Config{Hub: hub, Definitions: defs, TransitionBucket: DefaultTransitionBucket, TransitionRefill: DefaultTransitionRefill,
		StartBucket: DefaultStartBucket, StartRefill: DefaultStartRefill,
		WaitPollMin: 10 * port.Millisecond, WaitPollMax: port.Second, InboxPollMin: 5 * port.Millisecond, InboxPollMax: 50 * port.Millisecond}
}

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.Hub == "" || strings.ContainsAny(c.Hub, "/ ") {
		return fmt.Errorf("workflow: Config.Hub = %q: want a non-empty name without / or spaces", c.Hub)
	}
	if len(c.Definitions) == 0 {
		return fmt.Errorf("workflow: Config.Definitions is empty: register at least one state machine")
	}
	for _, b := range []struct {
		name        string
		cap, refill int64
	}{{"Transition", c.TransitionBucket, c.TransitionRefill}, {"Start", c.StartBucket, c.StartRefill}} {
		if b.cap < 0 || b.cap > 0 && b.refill < 1 {
			return fmt.Errorf("workflow: Config.%sBucket = %d, %sRefill = %d: want capacity >= 0 and, with a capacity, refill >= 1", b.name, b.cap, b.name, b.refill)
		}
	}
	for _, p := range []struct {
		name     string
		min, max port.Time
	}{{"WaitPoll", c.WaitPollMin, c.WaitPollMax}, {"InboxPoll", c.InboxPollMin, c.InboxPollMax}} {
		if p.min < port.Millisecond || p.max < p.min || p.max > 60*port.Second {
			return fmt.Errorf("workflow: Config.%sMin = %v, %sMax = %v: want 1ms <= min <= max <= 60s", p.name, time.Duration(p.min), p.name, time.Duration(p.max))
		}
	}
	if c.TransitionLatency < 0 || c.TransitionLatency > 10*port.Second {
		return fmt.Errorf("workflow: Config.TransitionLatency = %v: want 0..10s", time.Duration(c.TransitionLatency))
	}
	if c.Planted != "" && !slices.Contains(PlantedBugs, c.Planted) {
		return fmt.Errorf("workflow: Config.Planted = %q: allowed %s", c.Planted, strings.Join(PlantedBugs, ", "))
	}
	return nil
}

func (c Config) names() string {
	ns := make([]string, 0, len(c.Definitions))
	for n := range c.Definitions {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return strings.Join(ns, ", ")
}
