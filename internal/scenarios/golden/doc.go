// Package golden runs golden scenario scripts: recovery and crash
// scenarios of both engines on the simulator, written as data
// (testdata/*.script), each with a deterministic outcome summary
// (testdata/*.golden) compared byte for byte. A change in engine behaviour
// shows as a reviewable diff; rewrite the summaries with
//
//	go test ./internal/scenarios/golden -update
//
// # Script format
//
// One statement per line; '#' outside double quotes starts a comment.
//
//	engine netherite partitions=4 speculation=local checkpoint.events=20 \
//	       checkpoint.logBytes=64KiB checkpoint.idle=50ms commitLogBytes=4MiB acquireRetry=10ms \
//	       leaseDuration=15s takeoverPoll=2s
//	engine original controlQueues=4 extendedSessions visibility=10s leaseRenewal=1s maxConcurrentActivities=10
//	scenario tally n=30 spread=5ms   # or: scenario bank n=6
//	seed 7
//	nodes 2 cores=2                  # node0, node1 (+ a client node)
//	deadline 60s                     # virtual time by which every instance must be done
//	settle 1s                        # virtual time to run on before the tally is read
//	pending "reason"                 # known to fail: reported as skipped
//
// The engine line names a system of Systems and sets its knobs by their one
// name (the system descriptor's, as in specs: systems/netherite,
// systems/original); a bare knob name is true. Knobs not given take the
// script defaults (scriptDefaults: 4 partitions, a 4 MiB commit log, 10 ms
// lease retries; 4 control queues, 10 s visibility), then the system's.
//
// Fault lines are the fault plan grammar of faults/plan (parsed by
// plan.Parse, carried out by the systems' fault glue: systems/netherite's and
// systems/original's Sim.SimTarget):
//
//	at 20ms crash node1
//	at 70ms restart node1
//	at 150ms move p1 node0
//	at 20ms lease-loss p1
//	duplicate stream p=0.2
//	torn-tail p1 at crash
//
// A triggered crash happens at a protocol point rather than a time:
//
//	crash NODE after OP [n=N] [target=TEXT] [restart=DURATION]
//
// NODE crashes when the N-th (default 1st) successful completion of an op
// matching OP (an op kind or a glob, as in plan's op=) issued by a core on
// NODE, whose target contains TEXT, has been applied to storage — its
// effect is durable — and before the core sees it: the core never learns of
// it, and nothing it would have done next happens (sim.Driver.OnCompletion).
// The plan's crash effects (torn-tail, lose-unsynced) apply to it as to a
// timed crash; the node restarts DURATION later. Likewise
//
//	lease-loss pP after OP [n=N] [target=TEXT]
//
// breaks the lease of partition (netherite) or control queue (original) P
// at the N-th matching completion by any core, before that core sees it. A
// trigger that never fires fails the script.
//
// A damage line corrupts a stored blob at a virtual time, behind the
// engine's back (its lease is broken first), as a failing disk would:
//
//	damage hub/p01/log at 70ms flip 560        # XOR byte 560 with 0x40
//	damage hub/p01/log at 70ms flip last+40    # byte 40 of the last acknowledged page write
//	damage hub/p01/checkpoint at 70ms zero 0 16
//
// Expectations:
//
//	expect exactly-once        # every instance completed with the right output, every
//	                           # client call answered exactly once, no persist-before-send
//	                           # violation; for tally also: each instance marked exactly
//	                           # once on the Tally entity, every activity ran at least once
//	expect log "TEXT"          # some engine or glue log line contains TEXT
//	expect no-log "TEXT"
//	expect log-match "REGEXP"
//	expect COUNTER OP VALUE    # OP: == >= <= > <; counters are listed in each summary
//
// The tally scenario (scenarios.NewTally) runs n orchestrations of three
// activities each; every orchestration marks itself on one entity before
// completing, so a step applied twice shows as a double mark, and the
// activities count their executions (at least once, re-executions listed).
package golden
