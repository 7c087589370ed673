# dflab — see README.md. Every target installs what it needs itself:
# Go modules are pinned in go.mod, Azurite in package-lock.json.

GO      ?= go
# Results record the revision the dflab binary was built from (its build
# info); stamp it wherever git can tell, even if go env says -buildvcs=false
# (?= would leave such an environment's GOFLAGS in force).
export GOFLAGS := $(filter-out -buildvcs=false,$(GOFLAGS)) -buildvcs=auto
PKGS    ?= ./...
# The targets that run dflab build it first: go run would not stamp the
# binary with the git revision its results rows record.
DFLAB   := bin/dflab
# staticcheck at a pinned version, fetched through the Go module proxy by go run
# (go.mod stays free of it; the first run downloads and builds it once).
STATICCHECK ?= $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOFILES  = $(shell git ls-files '*.go' 2>/dev/null)

# The notebooks run on Debian's Python and its packages, never a python3 that
# happens to be first on PATH (a pyenv one has none of them).
PY       ?= /usr/bin/python3
NB_DEBS   = python3-pandas python3-matplotlib python3-nbformat jupyter-nbconvert python3-ipykernel
NB_OUT   ?= notebooks/executed
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT       = $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(NB_DEBS)

.PHONY: azurite test lint bench bench-peers figures plots calibrate microbench deps deps-python notebooks profile test-storage bench-storage faults cluster-bench

## test: the whole test suite (installs Azurite from package-lock.json and the
## notebooks' Debian packages first), the examples module (its own go.mod: a
## custom workload and engine run through the CLI), then every notebook
## executed headless
test: deps
	$(GO) test -count=1 $(PKGS)
	cd examples && $(GO) test -count=1 ./...
	@$(MAKE) --no-print-directory notebooks

## deps: Go modules, the pinned npm packages (Azurite), the notebooks' Python packages
## and PostgreSQL (Debian's postgresql-15, else postgresql, when no initdb is found); a
## node_modules that is a symlink (a git worktree sharing another checkout's packages) is not
## reinstalled through unless Azurite is missing: npm ci would empty the checkout it points to
deps: deps-python
	$(GO) mod download
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then \
		$(SUDO) apt-get update && { $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql-15 || \
			$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; }; \
	fi
	@if [ -f package-lock.json ]; then \
		if [ ! -x node_modules/.bin/azurite ] || { [ ! -L node_modules ] && [ package-lock.json -nt node_modules/.package-lock.json ]; }; then \
			npm ci --no-audit --no-fund; \
		fi; \
	fi

## deps-python: pandas, matplotlib and nbconvert for $(PY) from Debian's packages
## (does nothing when $(PY) already imports them; apt-get update only if the install fails)
deps-python:
	@if ! $(PY) -c 'import pandas, matplotlib, nbformat, nbconvert, ipykernel' 2>/dev/null; then \
		echo "installing $(NB_DEBS) for $(PY)"; \
		$(APT) || { $(SUDO) apt-get update && $(APT); }; \
	fi

## notebooks: execute every notebooks/*.ipynb headless on the results in results/
## (executed copies with their charts in $(NB_OUT)); fails on the first error
notebooks: deps-python
	@mkdir -p $(NB_OUT)
	PYDEVD_DISABLE_FILE_VALIDATION=1 $(PY) -m nbconvert --to notebook --execute \
		--ExecutePreprocessor.timeout=600 --output-dir $(NB_OUT) notebooks/*.ipynb

## lint: formatting, go.mod tidy (every module), go vet, staticcheck (pinned) and the
## architecture test
lint:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) mod tidy -diff
	cd examples && $(GO) mod tidy -diff
	$(GO) vet $(PKGS)
	cd examples && $(GO) vet ./...
	cd bench/peers/durabletask-go && $(GO) mod tidy -diff && $(GO) vet ./...
	$(STATICCHECK) $(PKGS)
	cd examples && $(STATICCHECK) ./...
	cd bench/peers/durabletask-go && $(STATICCHECK) ./...
	$(GO) test -count=1 ./internal/archtest

## bench: the main job on the simulator (no services): Hello5, Bank, WordCount and
## Collision on 1 and 4 nodes with both engines; prints a table, writes charts and CSV
## to results/bench
bench: $(DFLAB)
	$(DFLAB) bench --out results/bench

## bench-peers: Hello5 on microsoft/durabletask-go (SQLite in memory and in a file) and on
## dflab's Netherite (mem, disk) in one run, as ratios, with the command and the machine
## (a module of its own, bench/peers/durabletask-go; about a minute; not part of make test)
bench-peers:
	cd bench/peers/durabletask-go && $(GO) run . $(PEERS_ARGS)

## figures: every paper figure on the simulator (6 repetitions per point, both cores) and the what-if to
## 128 nodes (2 per point, about 75 CPU-s of the total): results/<figure>/ (JSONL, CSV, PNG, SVG),
## results/README.md (the schema) and one notebook per figure in notebooks/; prints the wall time and
## the simulated events per second
figures: $(DFLAB)
	$(DFLAB) figures --out results --notebooks notebooks --progress
	$(DFLAB) schema > results/README.md

## plots: charts, CSVs and notebooks again from the results already in results/ (runs nothing)
plots: $(DFLAB)
	$(DFLAB) figures --plots --out results --notebooks notebooks

## calibrate: measure both engines' step costs here and fit the simulator's default model
## set (paper2022d, the one specs and figures use) to the paper's calibration set, each target
## run at the paper's own single-node load (--paper-size; about 8 s per evaluation); rewrites
## harness/simrun/models/paper2022d.{json,-fit.csv,-fit.md,-costs.json} (paper2022, paper2022b and
## paper2022c, the older fits before the host structure, the services' limits and the token buckets, stay as they are)
calibrate: $(DFLAB)
	$(DFLAB) calibrate --progress --force --paper-size --name paper2022d

## cluster-bench: local clusters of 1, 2 and 4 worker processes (Azurite, NATS R3) on this
## machine, Hello5 and Bank from a load process, and a 3-worker Hello5 run whose plan kill -9s a worker
## (its row records the recovery time); rows to results/cluster (notebooks/cluster.ipynb).
## Correctness and process overheads on one machine, not scale-out.
cluster-bench: deps $(DFLAB)
	@rm -f results/cluster/cluster.jsonl
	$(DFLAB) cluster bench --workers 1,2,4 --workload hello5 --load closed:1000 --seed 1 --out results/cluster/cluster.jsonl
	$(DFLAB) cluster bench --workers 1,2,4 --workload bank --load closed:100 --seed 1 --out results/cluster/cluster.jsonl
	$(DFLAB) cluster bench --workers 3 --workload hello5 --load open:100:20s --seed 1 --knob leaseDuration=15s --knob acquireRetry=250ms --faults "at 5s crash node1" --out results/cluster/cluster.jsonl
	$(DFLAB) plot --in results/cluster/cluster.jsonl --out results/cluster

## faults: the swarm fault campaign on the simulator (SEEDS seeds, default 5000):
## summary table with faults by kind, violations by checker and wall time
SEEDS ?= 5000
faults: $(DFLAB)
	$(DFLAB) faults --seeds $(SEEDS)

## profile: an example: a CPU profile of a Hello5 run on the simulator (--profile cpu|mem|block|mutex|trace
## works on run, sweep, figures, faults, bench and calibrate), written beside its results, then its top functions
PROFILE_DIR ?= results/profile
profile: $(DFLAB)
	@rm -f $(PROFILE_DIR)/run.jsonl
	$(DFLAB) run --engine netherite --backend sim --workload hello5 --load closed:5000 \
		--nodes 4 --cores 2 --out $(PROFILE_DIR)/run.jsonl --profile cpu
	$(GO) tool pprof -top -nodecount=25 $(PROFILE_DIR)/cpu.pprof

## microbench: the packages' go test -bench micro-benchmarks
microbench: deps
	$(GO) test -run '^$$' -bench . -benchmem -benchtime=200ms $(PKGS)

## azurite: the pinned Azurite on 127.0.0.1:10000-10002 with the flags the Azure SDK needs,
## data in memory; prints the connection string for DFLAB_AZURE_CONNECTION; Ctrl-C stops it
azurite: deps $(DFLAB)
	$(DFLAB) azurite

## test-storage: the Azure (on Azurite), NATS and PostgreSQL backends only
test-storage: deps
	$(GO) test -count=1 ./internal/azurite/... ./backends/azure/... ./backends/nats/... ./internal/postgres/... ./backends/postgres/...

## bench-storage: storage latency figures (Azurite figures are emulator figures, not Azure's)
bench-storage: deps
	$(GO) test -run '^$$' -bench . -benchtime 2s ./backends/disk/ ./backends/azure/ ./backends/nats/

## bin/dflab: the dflab binary the targets above run (built each time; go caches)
.PHONY: $(DFLAB)
$(DFLAB):
	$(GO) build -o $@ ./harness/cmd/dflab
