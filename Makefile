# wasmbox — see README.md. `make run` and `make test` do all the set-up.

GO          ?= go
BIN         := bin/wasmbox
# One compilation cache for the whole test run, so the module compiles once.
export WASMBOX_CACHE_DIR ?= $(CURDIR)/.cache/wazero

.PHONY: all build run test install-test scale-test fuzz soak bench numpy-suite python-wasm clean release-snapshot image

all: build

# Rebuild assets/cpython313 (our CPython 3.13 reactor and its standard
# library) from Debian trixie's sources in a chroot: needs root, debootstrap
# and a Debian mirror, and takes a few minutes. The outputs are committed, so
# building wasmbox needs nothing but Go; see assets/build/README.md.
python-wasm:
	GO=$(GO) assets/build/build.sh

build: $(BIN)

$(BIN): FORCE
	$(GO) build -o $(BIN) ./cmd/wasmbox

FORCE:

# The main job on the bundled example: test an eval function against its
# cases. The example fails one case and errors one on purpose, so status 1
# (some case did not pass) is the expected outcome; any other failure stops make.
run: build
	./$(BIN) test --eval examples/json_grader/eval.py --cases examples/json_grader/cases.json || [ $$? -eq 1 ]

# Prime the shared compilation cache once, then run every test (the
# hostile-code suite in internal/hostile among them), then the install test,
# the HAProxy test, then a short pass of every fuzz target.
test: build
	./$(BIN) run -c 'pass'
	$(GO) vet -stdmethods=false ./...  # runtime's memFile.Seek returns an Errno as wazero's experimental/sys.File requires; stdmethods (its only finding) wants io.Seeker's error
	$(GO) test -race -timeout 30m ./...
	@$(MAKE) --no-print-directory install-test
	@$(MAKE) --no-print-directory scale-test
	@$(MAKE) --no-print-directory fuzz FUZZTIME=5s

# Install wasmbox as a user with nothing but Go would, from what is
# committed at HEAD: a fresh clone, a fresh GOPATH, no npm on PATH, then
# `go install` both inside the clone and as module@version; each binary must
# run the example. See .ci/install-test.
install-test:
	GO=$(GO) .ci/install-test

# Three `wasmbox serve` replicas behind HAProxy on loopback, configured by
# deploy/haproxy/haproxy.cfg: requests spread, sandboxes and containers
# stick, a replica is killed mid-load, and the requests/s through HAProxy
# and to one replica are logged (README, "Deploying"); under a minute.
# HAProxy is Debian's package: installed here when it is missing and make
# runs as root with apt-get; otherwise the test skips and says why.
scale-test: build
	@if ! command -v haproxy >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "scale-test: installing haproxy (apt-get)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -q haproxy >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q haproxy >/dev/null; }; \
	fi
	WASMBOX_SCALE_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 5m -v -run '^TestScale$$' ./internal/scaletest/

# Every fuzz target, as package:Name. `make fuzz` runs each for FUZZTIME;
# longer runs: `make fuzz FUZZTIME=10m`. Failing inputs land in the
# package's testdata/fuzz/ and are replayed by `go test` from then on.
FUZZ_TARGETS := ./validate:FuzzTokenize ./validate:FuzzCheck ./internal/evaltest:FuzzParseCases \
	./internal/evaltest:FuzzEqualRaw ./internal/server:FuzzRequestDecoding ./internal/server:FuzzWorkspaceFilePath \
	./internal/server:FuzzHydrate ./runtime:FuzzSandboxPaths ./runtime:FuzzMemfsLinks ./internal/hostile:FuzzGuardTransform
FUZZTIME ?= 30s

# numpy's own test suite in the sandbox, every group (core, ufunc, linalg,
# fft, random; `make test` runs fft and random): prints passed, failed and
# skipped per group. Downloads Debian's pytest packages once.
numpy-suite:
	WASMBOX_NUMPY_GROUPS=all $(GO) test -timeout 120m -run TestNumpyOwnSuite -v ./internal/numpysuite

# A run that ends with only Go 1.26's fuzz-coordinator race at the
# deadline (a bare "context deadline exceeded", no failing input written;
# golang/go#75804, fixed in Go 1.27) is run once more; anything else fails.
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		for try in 1 2; do \
			echo "fuzz: $$name in $$pkg for $(FUZZTIME)"; \
			if out=$$($(GO) test "$$pkg" -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) 2>&1); then break; fi; \
			if [ $$try = 1 ] && ! echo "$$out" | grep -q 'Failing input written' && \
				echo "$$out" | grep -q '^    context deadline exceeded$$'; then \
				echo "fuzz: $$name stopped with the fuzz coordinator's deadline race (golang/go#75804, fixed in Go 1.27), no failing input: once more"; \
				continue; \
			fi; \
			echo "$$out" | tail -n 30; exit 1; \
		done; \
		echo "$$out" | grep 'execs:' | tail -n 1; \
	done

# The soak test: 5 000 mixed executions through the HTTP server at
# concurrency 4, checking for leaks (RSS, goroutines, fds, sessions,
# instances). It takes several minutes; SOAK_N=500 for a shorter one.
soak:
	$(GO) test -tags soak -run '^TestSoak$$' -timeout 60m -v ./internal/server/

# Measure wasmbox against native python3 on the same workloads; see
# `wasmbox bench --help`. Figures are ratios to native measured in the run.
bench: build
	./$(BIN) bench

# Release archives for linux, darwin and windows on amd64 and arm64, with
# checksums and a CycloneDX SBOM per binary, into dist/ (see
# .goreleaser.yaml), then the check of what came out. goreleaser comes from
# the Go module proxy; its first build compiles it (minutes; cached after).
GORELEASER ?= $(GO) run github.com/goreleaser/goreleaser/v2@v2.15.1

release-snapshot:
	$(GORELEASER) release --snapshot --clean
	$(GO) test -tags release -count=1 ./internal/release/

# The container image, built without a base image or a daemon: the static
# linux binary on an empty root, user 65532, WASMBOX_CACHE_DIR on a volume,
# written as an OCI layout tar (`podman load -i`, `skopeo copy oci-archive:`).
VERSION    ?= $(shell sed -n 's/^var version = "\(.*\)"/\1/p' cmd/wasmbox/version.go)
IMAGE_ARCH ?= amd64
IMAGE      := bin/wasmbox-oci-$(IMAGE_ARCH).tar

image:
	CGO_ENABLED=0 GOOS=linux GOARCH=$(IMAGE_ARCH) $(GO) build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" \
		-o bin/linux_$(IMAGE_ARCH)/wasmbox ./cmd/wasmbox
	$(GO) run ./internal/ociimage/mkimage -binary bin/linux_$(IMAGE_ARCH)/wasmbox -arch $(IMAGE_ARCH) -version $(VERSION) -o $(IMAGE)

clean:
	rm -rf bin .cache dist
