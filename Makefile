# rung — `make demo` and `make test` work on a fresh Debian 12 machine: they
# install what is missing first. Every target is idempotent.

SHELL := /bin/bash
GO ?= go
export RUNG_SHARED ?= $(abspath ../shared)
BIN := bin
# libvmaf's model files: the shared copy, else ones `make models` downloads.
export RUNG_MODEL_DIR ?= $(if $(wildcard $(RUNG_SHARED)/vmaf/model/vmaf_v0.6.1.json),$(RUNG_SHARED)/vmaf/model,$(abspath $(BIN)/model))
MODEL_URL := https://raw.githubusercontent.com/Netflix/vmaf/f85a853692a8c730d0270cd733c8bb30b5b93b7c/model
DEB_PKGS := libavcodec-dev libavformat-dev libavfilter-dev libavdevice-dev \
	libswscale-dev libswresample-dev libavutil-dev pkg-config ffmpeg fuse3 gcc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build test demo models bench bench-score bench-encode fuzz vet fmt clean browser-deps ladder-check demo-ladder demo-serve minio temporal bench-mezzfs bench-temporal

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

test: build browser-deps minio temporal
	$(GO) vet ./...
	$(GO) test -timeout 20m ./...
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(TEST_FUZZTIME)

# models downloads libvmaf's model files (the commit the reference data came
# from) when no shared copy is there.
models:
	@for m in vmaf_v0.6.1 vmaf_4k_v0.6.1; do [ -s "$(RUNG_MODEL_DIR)/$$m.json" ] && continue; \
		mkdir -p "$(RUNG_MODEL_DIR)"; echo "downloading $$m.json into $(RUNG_MODEL_DIR)"; \
		curl -fsSL -o "$(RUNG_MODEL_DIR)/$$m.json.tmp" "$(MODEL_URL)/$$m.json" && mv "$(RUNG_MODEL_DIR)/$$m.json.tmp" "$(RUNG_MODEL_DIR)/$$m.json" || \
		{ rm -f "$(RUNG_MODEL_DIR)/$$m.json.tmp"; echo "no VMAF model $$m.json: put ../shared beside this directory or set RUNG_MODEL_DIR"; exit 1; }; done

# demo scores a libvmaf reference pair (or a pair generated with ffmpeg when
# ../shared is absent) and prints the pooled scores.
DEMO := $(BIN)/demo
demo: build models
	@mkdir -p $(DEMO)
	@if [ -f "$(RUNG_SHARED)/clips/bottles_640x360_48f.y4m" ]; then \
		ref="$(RUNG_SHARED)/clips/bottles_640x360_48f.y4m"; \
		[ -s $(DEMO)/dist.y4m ] || gzip -dc "$(RUNG_SHARED)/vmaf-ref/dist/bottles_640x360_48f_crf38.dist.y4m.gz" > $(DEMO)/dist.y4m; \
	else \
		echo "$(RUNG_SHARED) not found: generating a clip with ffmpeg"; ref=$(DEMO)/ref.y4m; \
		[ -s $(DEMO)/ref.y4m ] || ffmpeg -nostdin -hide_banner -v error -y -f lavfi -i testsrc2=size=640x360:rate=25 -frames:v 48 -pix_fmt yuv420p $(DEMO)/ref.y4m; \
		[ -s $(DEMO)/dist.mp4 ] || ffmpeg -nostdin -hide_banner -v error -y -i $(DEMO)/ref.y4m -c:v libx264 -preset medium -crf 38 $(DEMO)/dist.mp4; \
		[ -s $(DEMO)/dist.y4m ] || ffmpeg -nostdin -hide_banner -v error -y -i $(DEMO)/dist.mp4 -pix_fmt yuv420p -f yuv4mpegpipe $(DEMO)/dist.y4m; \
	fi; \
	echo "rung score -r $$ref -d $(DEMO)/dist.y4m --json $(DEMO)/score.json"; \
	$(BIN)/rung score -r "$$ref" -d $(DEMO)/dist.y4m --json $(DEMO)/score.json && \
	echo "per-frame scores: $(DEMO)/score.json"
	@$(MAKE) --no-print-directory demo-ladder

# demo-ladder runs rung ladder on a ../shared/clips source (a clip generated
# with ffmpeg when ../shared is absent) and prints where the report is.
demo-ladder: build
	@mkdir -p $(DEMO)
	@if [ -f "$(RUNG_SHARED)/clips/bottles_640x360.mkv" ]; then src="$(RUNG_SHARED)/clips/bottles_640x360.mkv"; \
	else echo "$(RUNG_SHARED) not found: generating a clip with ffmpeg"; src=$(DEMO)/title.mkv; \
		[ -s $$src ] || ffmpeg -nostdin -hide_banner -v error -y -f lavfi -i testsrc2=size=640x360:rate=25 -frames:v 75 -pix_fmt yuv420p -c:v ffv1 $$src; \
	fi; \
	echo "rung ladder $$src -o $(DEMO)/ladder"; \
	$(BIN)/rung ladder "$$src" -o $(DEMO)/ladder && \
	echo "ladder report: $(abspath $(DEMO))/ladder/report.html (HLS: $(abspath $(DEMO))/ladder/master.m3u8)"

# demo-serve starts MinIO with a webhook target (token, queue dir) posting
# to `rung serve`, which runs its own Temporal dev server and worker;
# uploads a ../shared clip (one generated with ffmpeg when ../shared is
# absent) and prints where its ladder appeared. Everything stops at the end.
DEMO_SERVE_PORT ?= 19400
demo-serve: build minio temporal models
	@set -e; d=$(abspath $(DEMO))/serve; rm -rf $$d; mkdir -p $$d/minio $$d/queue; \
	if [ -f "$(RUNG_SHARED)/clips/bottles_640x360.mkv" ]; then src="$(RUNG_SHARED)/clips/bottles_640x360.mkv"; \
	else echo "$(RUNG_SHARED) not found: generating a clip with ffmpeg"; src=$$d/title.mkv; \
		ffmpeg -nostdin -hide_banner -v error -y -f lavfi -i testsrc2=size=640x360:rate=25 -frames:v 75 -pix_fmt yuv420p -c:v ffv1 $$src; fi; \
	head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > $$d/token; \
	export AWS_ACCESS_KEY_ID=rungdemo AWS_SECRET_ACCESS_KEY=rungdemo-secret AWS_REGION=us-east-1 \
		AWS_ENDPOINT_URL=http://127.0.0.1:$(DEMO_SERVE_PORT); \
	MINIO_ROOT_USER=$$AWS_ACCESS_KEY_ID MINIO_ROOT_PASSWORD=$$AWS_SECRET_ACCESS_KEY MINIO_BROWSER=off MINIO_UPDATE=off \
	MINIO_NOTIFY_WEBHOOK_ENABLE_RUNG=on MINIO_NOTIFY_WEBHOOK_ENDPOINT_RUNG=http://127.0.0.1:$$(($(DEMO_SERVE_PORT)+1))/events \
	MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_RUNG=$$(cat $$d/token) MINIO_NOTIFY_WEBHOOK_QUEUE_DIR_RUNG=$$d/queue \
		$(MINIO_BIN)/minio server --quiet --address 127.0.0.1:$(DEMO_SERVE_PORT) \
		--console-address 127.0.0.1:$$(($(DEMO_SERVE_PORT)+2)) $$d/minio > $$d/minio.log 2>&1 & minio=$$!; \
	$(BIN)/rung serve --listen 127.0.0.1:$$(($(DEMO_SERVE_PORT)+1)) --output s3://ladders/out --token-file $$d/token \
		--data-dir $$d/serve --ladder-args "--rungs 4" > $$d/serve.log 2>&1 & serve=$$!; \
	trap 'kill $$serve $$minio 2>/dev/null; wait' EXIT; trap 'exit 1' INT TERM; \
	$(GO) run ./internal/demo/s3notify -create mezz,ladders -bucket mezz -arn arn:minio:sqs::RUNG:webhook; \
	for i in $$(seq 240); do curl -fs http://127.0.0.1:$$(($(DEMO_SERVE_PORT)+1))/readyz >/dev/null && break; \
		kill -0 $$serve 2>/dev/null || { cat $$d/serve.log; exit 1; }; sleep 0.5; done; \
	echo "rung serve is up (log: $$d/serve.log); uploading $$src to s3://mezz/titles/"; \
	$(BIN)/rung mezzfs cp "$$src" "s3://mezz/titles/$$(basename "$$src")"; \
	key=titles/$$(basename "$${src%.*}"); \
	for i in $$(seq 1200); do \
		if $(BIN)/rung mezzfs stat "s3://ladders/out/$$key/master.m3u8" >/dev/null 2>&1; then \
			echo "ladder of s3://mezz/titles/$$(basename "$$src") appeared under s3://ladders/out/$$key/ (ladder.json, report.html, hls/):"; \
			$(BIN)/rung mezzfs cat "s3://ladders/out/$$key/master.m3u8"; \
			grep '"job started"' $$d/serve.log; \
			curl -fsS http://127.0.0.1:$$(($(DEMO_SERVE_PORT)+1))/metrics | grep -E '^rung_(events|jobs)'; exit 0; fi; \
		if $(BIN)/rung mezzfs stat "s3://ladders/out/$$key/error.json" >/dev/null 2>&1; then \
			$(BIN)/rung mezzfs cat "s3://ladders/out/$$key/error.json"; exit 1; fi; \
		kill -0 $$serve 2>/dev/null || { tail $$d/serve.log; exit 1; }; sleep 0.5; done; \
	echo "no ladder after 10 minutes (log: $$d/serve.log)"; exit 1

# fuzz runs every parser's fuzz target for FUZZTIME each (make test runs them
# briefly, for a count of inputs: a duration ends in a race of Go 1.26's fuzz
# coordinator that can fail a clean run with "context deadline exceeded",
# golang/go#75804, fixed in Go 1.27).
FUZZTIME ?= 2m
TEST_FUZZTIME ?= 50000x
# Minimising a new input may take Go's default 60 s, longer than a short run:
# bound it by a count too.
FUZZFLAGS = -run '^$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 500x
fuzz: deps
	$(GO) test ./quality $(FUZZFLAGS) -fuzz '^FuzzY4M$$'
	$(GO) test ./quality $(FUZZFLAGS) -fuzz '^FuzzParseModel$$'
	$(GO) test ./quality $(FUZZFLAGS) -fuzz '^FuzzOptionSyntax$$'
	$(GO) test ./ladder $(FUZZFLAGS) -fuzz '^FuzzParseMediaPlaylist$$'
	$(GO) test ./ladder $(FUZZFLAGS) -fuzz '^FuzzCodecStrings$$'
	$(GO) test ./mezzfs $(FUZZFLAGS) -fuzz '^FuzzReadTrace$$'
	$(GO) test ./plot $(FUZZFLAGS) -fuzz '^FuzzReads$$'
	$(GO) test ./encode $(FUZZFLAGS) -fuzz '^FuzzProbe$$'
	$(GO) test ./encode/index $(FUZZFLAGS) -fuzz '^FuzzMatroska$$'
	$(GO) test ./encode/index $(FUZZFLAGS) -fuzz '^FuzzMP4$$'
	$(GO) test ./serve/event $(FUZZFLAGS) -fuzz '^FuzzParse$$'

# bench prints frames/s of the scorer at 1 and 2 threads and its peak memory
# on a ten times longer input; compare with ../shared/vmaf-ref/README.md.
bench: bench-score bench-mezzfs bench-encode bench-temporal
# bench-score also times `rung score` against libvmaf's CLI (../shared/tools/vmaf)
# on the same pairs, whole process, alternating, median of 5.
bench-score: build
	$(GO) test ./quality -run '^$$' -bench 'BenchmarkScore' -benchtime 3x -timeout 30m
	$(GO) test ./cmd/rung -run '^$$' -bench 'BenchmarkScore(V1)?VsLibvmaf' -benchtime 1x -timeout 30m

# bench-mezzfs reads one object from a local MinIO through mezzfs.Source and
# through aws-sdk-go-v2's feature/s3/manager Downloader in the same run and
# prints the sequential throughput ratio and random 1 MiB reads/s.
bench-mezzfs: build minio
	$(GO) test ./mezzfs -run '^$$' -bench 'BenchmarkS3' -benchtime 1x -timeout 20m

# bench-encode runs `rung encode` and the ffmpeg CLI (x264, preset medium,
# CRF 23) alternately, three times each, on the multi-shot and the 720p
# clips, and prints the median wall and CPU seconds, size and VMAF of each,
# and their ratios.
bench-encode: build
	$(GO) test ./cmd/rung -run '^$$' -bench 'BenchmarkEncodeVsFFmpeg' -benchtime 3x -timeout 30m

clean:
	rm -rf $(BIN)

# minio builds the S3-compatible server that mezzfs's tests start on loopback,
# into a cache outside the repository (skipped when already there).
MINIO_VERSION := v0.0.0-20260212201848-7aac2a2c5b7c
MINIO_BIN := $(HOME)/.cache/rung/bin
minio: $(MINIO_BIN)/minio
$(MINIO_BIN)/minio:
	GOBIN=$(MINIO_BIN) GOFLAGS=-mod=mod $(GO) install github.com/minio/minio@$(MINIO_VERSION)

# temporal builds the Temporal CLI, whose dev server the tests of the
# Temporal runner start on loopback (about 5 minutes, once; skipped when
# present; RUNG_TEMPORAL names another binary).
TEMPORAL_VERSION := v1.5.1
temporal: $(if $(RUNG_TEMPORAL),,$(MINIO_BIN)/temporal)
$(MINIO_BIN)/temporal:
	GOBIN=$(MINIO_BIN) GOFLAGS=-mod=mod $(GO) install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_VERSION)

# bench-temporal encodes 4 chunks through a local Temporal dev server and
# one `rung worker`, and locally with `rung encode`, in the same run, and
# prints the wall-time ratio and the scheduling latency per activity.
bench-temporal: build minio temporal
	$(GO) test ./cluster -run '^$$' -bench 'BenchmarkTemporalOverhead' -benchtime 3x -timeout 30m

# browser-deps installs Debian's chromium and hls.js (from npm) for the
# ladder's browser tests: hls.js plays master.m3u8, report.html is checked.
HLSJS_VERSION := 1.7.4
browser-deps: $(BIN)/web/node_modules/hls.js/dist/hls.min.js
$(BIN)/web/node_modules/hls.js/dist/hls.min.js:
	@missing=""; for p in chromium npm; do command -v $$p >/dev/null || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi
	npm install --no-audit --no-fund --prefix $(BIN)/web hls.js@$(HLSJS_VERSION)
	@test -s $@

# ladder-check runs rung ladder's long checks on every ../shared/clips source
# (monotonic ladder on the hull, BD-rate against --fixed apple, adaptive vs
# exhaustive, per-shot never worse than per-title by more than 0.5%) and
# rung encode --target-vmaf 93 on the multi-shot clip, and prints the figures.
ladder-check: build
	RUNG_LADDER_CHECK=1 $(GO) test ./ladder -run 'TestLadderShared|TestTargetShared|TestPerShotMultishot' -v -timeout 90m
