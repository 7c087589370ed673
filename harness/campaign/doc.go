// Package campaign is dflab's swarm fault campaign (`dflab faults`, `make
// faults`): every seed draws, from the seed alone (sim/rng), an engine and
// its knobs (Netherite: partitions, speculation none/local/global,
// checkpoint thresholds; original: control queues, extended sessions;
// sql: database vCores, lock timeouts down to 100 ms, worker limits,
// batch, polling cap), a
// cluster, one workload at small scale (hello3, hello5, sequence, bank,
// wordcount, collision, imagerec) and a random fault plan of 0..5 faults
// (crash and restart, storage error / error-after / latency / throttle by
// op kind, stream duplicate and delay, torn commit-log tail at a crash,
// partition move, lease loss, unsynced writes lost at a crash; carried
// out by internal/scenarios' glue),
// all inside a safety phase. Then the heal phase restarts every crashed
// node and every instance must complete within a virtual-time budget
// (harness/simrun.Options).
//
// Checkers, always on: completion; the kinds of the workload oracle's
// violations (workload.Kind: wrong output, duplicate effects such as an
// entity operation applied twice, lost effects, conservation such as
// Bank's balances, isolation of critical sections); persist-before-send (none/local speculation), acknowledged starts
// survive, replay equivalence (Netherite: once the run is over every node
// crashes and restarts, and each partition's state recovered from its
// checkpoint and log must equal the state it had); and the campaign's own: a sample of seeds (every tenth) runs
// twice and must give the same trace hash. Every violation prints the one
// command that reproduces it (Setup.ReproCommand: `dflab repro --seed N`
// plus the setup's flags; `--plan FILE` runs a saved plan instead).
//
// A system joins the default draw in a later round (System.Join): the
// sql engine joined in round 2. A seed first draws among the first
// round's systems exactly as before (netherite and original, or on a
// substream of its own the workflow service or the queue chain), then
// each later system takes it over with the odds that keep the draw
// uniform, from a stream of its own, so the seeds it does not take (about
// four in five) keep the case they drew before it joined; its own seeds
// are new cases.
//
// Planted bugs (the engines' Planted knob) prove the checkers can fail:
// the package's tests run the campaign against each and require it caught
// within a bounded number of seeds.
//
// Lose-unsynced needs a disk-like store (spec backend diskLike: page
// writes and append blocks volatile until synced; by default the
// simulated page blobs are durable on acknowledgement, as Azure's, so
// there is nothing unsynced to lose). A system that survives it there
// says with which knobs (systems.Faults.DiskLike: Netherite's syncLog);
// one of its seeds in three draws such a store, from a substream of its
// own (the seed's other draws stay as they were), and three in four of
// those plans that crash a node add "lose-unsynced at crash". Planted
// bug skip-log-sync (syncLog on, the sync skipped) shows the checkers
// catch a log that is not synced.
package campaign
