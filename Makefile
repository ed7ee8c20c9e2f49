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

.PHONY: build test lint unit images swarm demo clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/swarmtop

lint: $(STATICCHECK)
	@out=$$(gofmt -l $$(git ls-files '*.go') $$(git ls-files --others --exclude-standard '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

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

clean:
	rm -rf bin
