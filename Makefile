# dflab — see README.md. Every target installs what it needs itself:
# Go modules are pinned in go.mod, Azurite in package-lock.json.

GO      ?= go
PKGS    ?= ./...
GOFILES  = $(shell git ls-files '*.go' 2>/dev/null)

.PHONY: test lint bench figures plots calibrate microbench deps test-storage bench-storage faults

## test: the whole test suite (installs Azurite from package-lock.json first), then the
## examples module (its own go.mod: a custom workload and engine run through the CLI)
test: deps
	$(GO) test -count=1 $(PKGS)
	cd examples && $(GO) test -count=1 ./...

## deps: Go modules and the pinned npm packages (Azurite)
deps:
	$(GO) mod download
	@if [ -f package-lock.json ]; then \
		if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
			npm ci --no-audit --no-fund; \
		fi; \
	fi

## lint: formatting, go vet and the architecture test
lint:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	cd examples && $(GO) vet ./...
	$(GO) test -count=1 ./internal/archtest

## bench: the main job on the simulator (no services): Hello5, Bank, WordCount and
## Collision on 1 and 4 nodes with both engines; prints a table, writes charts and CSV
## to results/bench
bench:
	$(GO) run ./harness/cmd/dflab bench --out results/bench

## figures: every paper figure on the simulator (6 repetitions per point, both cores): results/<figure>/
## (JSONL, CSV, PNG, SVG), results/README.md (the schema) and one notebook per figure in notebooks/;
## prints the wall time and the simulated events per second
figures:
	$(GO) run ./harness/cmd/dflab figures --out results --notebooks notebooks --progress
	$(GO) run ./harness/cmd/dflab schema > results/README.md

## plots: charts, CSVs and notebooks again from the results already in results/ (runs nothing)
plots:
	$(GO) run ./harness/cmd/dflab figures --plots --out results --notebooks notebooks

## calibrate: measure both engines' step costs here and fit the simulator's model set to
## the paper's calibration set (< 10 min); writes harness/simrun/models/paper2022.{json,-fit.csv,-fit.md}
calibrate:
	$(GO) run ./harness/cmd/dflab calibrate --progress

## faults: the swarm fault campaign on the simulator (SEEDS seeds, default 5000):
## summary table with faults by kind, violations by checker and wall time
SEEDS ?= 5000
faults:
	$(GO) run ./harness/cmd/dflab faults --seeds $(SEEDS)

## microbench: the packages' go test -bench micro-benchmarks
microbench: deps
	$(GO) test -run '^$$' -bench . -benchmem -benchtime=200ms $(PKGS)

## test-storage: the Azure (on Azurite) and NATS backends only
test-storage: deps
	$(GO) test -count=1 ./internal/azurite/... ./backends/azure/... ./backends/nats/...

## bench-storage: storage latency figures (Azurite figures are emulator figures, not Azure's)
bench-storage: deps
	$(GO) test -run '^$$' -bench . -benchtime 2s ./backends/disk/ ./backends/azure/ ./backends/nats/
