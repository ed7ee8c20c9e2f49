# swarmtop: a terminal UI for operating Docker Swarm stacks.
#   make demo   prepare a local swarm, deploy the example stack, open swarmtop on it
#   make test   lint, unit tests and the engine tests on the local swarm

GO          ?= go
BIN         ?= bin/swarmtop
STATICCHECK ?= $(shell $(GO) env GOPATH)/bin/staticcheck
STATICCHECK_VERSION ?= v0.8.2

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)

.PHONY: build test lint unit images swarm demo demo-tape screenshots clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/swarmtop

lint: $(STATICCHECK)
	@out=$$(gofmt -l $$(git ls-files '*.go') $$(git ls-files --others --exclude-standard '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...
	scripts/screenshots/tape.sh check demo.tape

$(STATICCHECK):
	$(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# Engine tests find the engine through DOCKER_HOST (default socket); without a
# swarm they skip, and under CI=true they fail.
test: lint build
	$(GO) test -count=1 -timeout 30m ./...

images:
	scripts/images.sh

swarm:
	scripts/swarm.sh

demo: build
	scripts/demo.sh

# demo.gif from demo.tape: checks the tape, then records it where VHS is installed.
demo-tape:
	@scripts/screenshots/tape.sh check demo.tape
	@if command -v vhs >/dev/null; then vhs demo.tape; else \
	  echo "demo.tape is valid; VHS is not installed here, so nothing was recorded. To record demo.gif:"; \
	  echo "  1. install vhs >= 0.11, ttyd >= 1.7.2, ffmpeg and chromium (VHS_NO_SANDBOX=true as root)"; \
	  echo "  2. make demo   (a local swarm with the stand-in images; the tape deploys stack shop itself)"; \
	  echo "  3. vhs demo.tape   (from the repo root; writes demo.gif)"; \
	  echo "scripts/screenshots/tape.sh replay demo.tape plays the tape against the real binary in tmux."; fi

# docs/*.png: the main views of the real binary on the demo stack (tmux, aha, chromium).
screenshots:
	scripts/screenshots.sh

clean:
	rm -rf bin
