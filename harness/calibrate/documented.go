package calibrate

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dflab/dflab/sim"
	"github.com/dflab/dflab/systems"
	"github.com/dflab/dflab/systems/builtin"
	"github.com/dflab/dflab/systems/netherite"
)

// DocParam is one parameter of a fitted set that the fit does not move: its
// value, unit and origin (a documented default, the paper's setup, an
// engine's default, or an assumption), as the fit report lists it.
type DocParam struct {
	Name, Value, Unit, Origin string
}

// hostDocs says where each field of PaperHost comes from.
var hostDocs = struct{ workers, activity, orchestrator, backgroundDefer string }{
	workers:      "documented structure: run on the host's worker threads, not the partition's or dispatcher's own thread",
	activity:     "documented default (maxConcurrentActivityFunctions, Premium plans)",
	orchestrator: "documented default (maxConcurrentOrchestratorFunctions, Premium plans)",
	backgroundDefer: "documented scale (calibrate.BackgroundDeferMs): background CPU (telemetry, logging, transport threads) is low-priority, run in idle core time, and waits at most the OS scheduler's latency bound for a runnable thread " +
		"(Linux CFS sched_latency_ns: 6 ms × (1 + log2 cores) = 6..18 ms on 1..4 cores; Windows clock tick 15.6 ms) before it takes a core; 0 = FIFO at once",
}

// Documented lists every parameter of models that the fit holds (the
// Functions host, the services' throughput caps with their bucket depth,
// the network, per-byte storage costs) and every knob of the engines the
// targets run, with the values the targets give it (the paper's setup) or
// its default, from the systems' own knob definitions.
func Documented(models *sim.ModelSet, targets []Target) []DocParam {
	var out []DocParam
	if models != nil {
		h := models.Host
		out = append(out,
			DocParam{"host.workerKinds", strings.Join(h.WorkerKinds, ", "), "work kinds", hostDocs.workers},
			DocParam{"host.itemKinds", strings.Join(h.ItemKinds, ", "), "work kinds", "documented structure: the worker kinds each unit of which is one work item (an episode, an entity batch)"},
			DocParam{"host.activitySlotsPerCore", fmt.Sprint(h.ActivitySlotsPerCore), "activities per core", hostDocs.activity},
			DocParam{"host.orchestratorSlotsPerCore", fmt.Sprint(h.OrchestratorSlotsPerCore), "sessions per core", hostDocs.orchestrator},
			DocParam{"host.backgroundDeferMs", fmt.Sprintf("%g", h.BackgroundDeferMs), "ms", hostDocs.backgroundDefer})
		for _, c := range models.Caps {
			out = append(out, DocParam{"caps." + c.Name, capLimits(c), c.Scope + " (" + strings.Join(c.Ops, ", ") + ")",
				"documented default: Azure Storage scalability targets, " + c.Doc})
			out = append(out, DocParam{"caps." + c.Name + ".burstSec", fmt.Sprintf("%g", c.BurstSec), "s of the rate (token-bucket depth)",
				"assumption: the target is a budget per second, metered over one-second windows (calibrate.StorageBurstSec)"})
		}
		out = append(out,
			DocParam{"network.localMs", models.Network.LocalMs.String(), "ms", "assumption: a message between cores of one node"},
			DocParam{"network.remoteMs", models.Network.RemoteMs.String(), "ms", "assumption: a message between nodes of one region (median 0.5 ms)"})
	}
	for _, g := range opGroups {
		out = append(out, DocParam{"nsPerByte." + strings.TrimSuffix(g.prefix, "-"), fmt.Sprintf("%g", g.nsPerByte), "ns per byte",
			"assumption: transfer time of a request's payload (the calibration set says nothing about payload size)"})
	}
	out = append(out, DocParam{EntityBatchEngine + ".entityBatchIsEpisode", fmt.Sprint(EntityBatchIsEpisode), "true | false",
		"documented structure (calibrate.EntityBatchIsEpisode): Durable Functions runs each entity as a looping orchestration (TaskEntityShim), so an entity batch is an orchestration work item " +
			"(Netherite: OrchestrationWorkItem on its entity queue) ending in ContinueAsNew with the serialized state: " + EntityBatchKey + " costs the measured " + EpisodeKey + " × cpuFactor, the entity function's invocations are hostMs per entity-op"})
	out = append(out, DocParam{"sqlRoundTripMs", fmt.Sprintf("%g", SQLRoundTripMs), "ms (median)",
		"assumption: a procedure call's network round trip to the database (no calibration point)"})
	out = append(out, DocParam{"netherite.eventHubs.burstSec", fmt.Sprint(netherite.EventHubsBurstSec), "s of the rate (token-bucket depth)",
		fmt.Sprintf("assumption: a throughput unit (%d events/s or %g MB/s of ingress) is a budget per second (netherite.EventHubsBurstSec)",
			netherite.EventsPerSecPerTU, netherite.IngressMBPerTU)})
	return append(out, engineKnobs(builtin.Systems(), targets)...)
}

// engineKnobs are the knobs of every engine the targets run: each with
// the values the targets set (by workload, "the paper's setup") or its
// default, its unit and its definition's doc.
func engineKnobs(reg *systems.Registry, targets []Target) []DocParam {
	var engines []string
	byEngine := map[string][]Target{}
	for _, t := range targets {
		e := t.Spec.Engine.Name
		if _, ok := byEngine[e]; !ok {
			engines = append(engines, e)
		}
		byEngine[e] = append(byEngine[e], t)
	}
	var out []DocParam
	for _, e := range engines {
		sys, err := reg.Lookup(e)
		if err != nil {
			continue
		}
		for _, k := range sys.Knobs {
			out = append(out, knobRow(e, k, byEngine[e]))
		}
	}
	return out
}

// knobRow is one engine knob's row: the values the targets give it, by
// workload where they differ, else its default.
func knobRow(engine string, k systems.Knob, targets []Target) DocParam {
	byValue := map[string][]string{}
	var values []string
	set := false
	for _, t := range targets {
		v := t.Spec.Engine.Knob(k.Name)
		if v == "" {
			v = k.Default + " (default)"
		} else {
			set = true
		}
		wl := t.Spec.Workload.Name
		if parts := strings.Split(t.ID, "/"); t.Pct > 0 && len(parts) == 3 {
			wl += " " + parts[1] // a latency run: its series, e.g. hello3 netherite-none
		}
		if _, ok := byValue[v]; !ok {
			values = append(values, v)
		}
		if !contains(byValue[v], wl) {
			byValue[v] = append(byValue[v], wl)
		}
	}
	value := k.Default
	switch {
	case set && len(values) == 1:
		value = values[0]
	case set:
		var parts []string
		for _, v := range values {
			ws := byValue[v]
			sort.Strings(ws)
			parts = append(parts, fmt.Sprintf("%s: %s", strings.Join(ws, ", "), v))
		}
		value = strings.Join(parts, "; ")
	}
	origin := "engine default: " + k.Doc
	if set {
		origin = "the paper's setup (paper-notes, \"Setup the paper used\"): " + k.Doc
	}
	return DocParam{Name: engine + "." + k.Name, Value: value, Unit: knobUnit(k), Origin: origin}
}

// knobUnit is a knob's unit: its own, else what its kind says.
func knobUnit(k systems.Knob) string {
	if k.Unit != "" {
		return k.Unit
	}
	switch k.Kind {
	case systems.Duration:
		return "duration"
	case systems.Bytes:
		return "bytes"
	case systems.Bool:
		return "true | false"
	case systems.Enum:
		return "one of " + strings.Join(k.Allowed, " | ")
	}
	return "count"
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
