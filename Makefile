# rung — `make demo` and `make test` work on a fresh Debian 12 machine: they
# install what is missing first. Every target is idempotent.

SHELL := /bin/bash
GO ?= go
export RUNG_SHARED ?= $(abspath ../shared)
export RUNG_MODEL_DIR ?= $(RUNG_SHARED)/vmaf/model
BIN := bin
DEB_PKGS := libavcodec-dev libavformat-dev libavfilter-dev libavdevice-dev \
	libswscale-dev libswresample-dev libavutil-dev pkg-config ffmpeg fuse3 gcc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build test demo bench fuzz vet fmt clean

all: build

# deps installs the Debian packages and Go modules the build and the tests need.
deps: $(BIN)/.deps
$(BIN)/.deps: go.mod go.sum
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi
	$(GO) mod download
	@mkdir -p $(BIN) && touch $@

build: deps
	$(GO) build -o $(BIN)/rung ./cmd/rung

vet: deps
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt needed"; exit 1; }

test: build
	$(GO) vet ./...
	$(GO) test -timeout 20m ./...

clean:
	rm -rf $(BIN)
