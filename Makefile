# podlab: build, test and the local test cluster.
SHELL := /bin/bash
GO ?= go
BIN := bin/podlab
CLUSTER := test/cluster/cluster.sh

# Linters are installed from the Go module proxy into a directory of ours,
# by version, so a version bump installs the new one.
TOOLS_BIN := $(CURDIR)/bin/tools
STATICCHECK_VERSION := v0.8.2
STATICCHECK := $(TOOLS_BIN)/staticcheck-$(STATICCHECK_VERSION)

.PHONY: build test test-unit lint fuzz demo bench mutation-gke cluster-up cluster-down cluster-status browser-deps

build:
	$(GO) build -o $(BIN) ./cmd/podlab

# Quick: no cluster needed; end-to-end tests skip themselves in -short mode.
test-unit:
	$(GO) vet ./...
	$(GO) test -short ./...

$(STATICCHECK):
	mkdir -p $(TOOLS_BIN)
	GOBIN=$(TOOLS_BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv $(TOOLS_BIN)/staticcheck $@

lint: $(STATICCHECK)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt -w these files: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...

# A few seconds of each fuzz target, from the seeds in testdata.
FUZZTIME ?= 8s
fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzLoad -fuzztime=$(FUZZTIME) ./config/
	$(GO) test -run='^$$' -fuzz=FuzzParseVarFlag -fuzztime=$(FUZZTIME) ./config/
	$(GO) test -run='^$$' -fuzz=FuzzEvaluate -fuzztime=$(FUZZTIME) ./config/
	$(GO) test -run='^$$' -fuzz=FuzzDerivedNames -fuzztime=$(FUZZTIME) ./config/
	$(GO) test -run='^$$' -fuzz=FuzzDecodeYAML -fuzztime=$(FUZZTIME) ./config/manifest/

# Benchmarks on the test cluster, with ratios against kubectl's floor.
bench: build cluster-up
	bench/engine.sh
	bench/checks.sh
	bench/class.sh
	bench/seats.sh
	bench/profile.sh
	bench/board.sh
	$(GO) test -run='^$$' -bench=. ./config/ ./engine/

# Mutation tests of the GKE provider's handling of GKE's quirks: each
# removes one piece of handling in a throwaway copy of the tree and checks
# that the tests about it fail (test/mutation/gke.sh). Needs the test
# cluster; about 11 minutes, so not part of make test.
mutation-gke:
	test/mutation/gke.sh

# Everything, end-to-end tests included: brings the test cluster up first
# (cheap when one is already running) and makes its absence a failure.
# Then the real kubeadm init on a test host, alone: it runs a second
# control plane on this machine and must not compete with the other tests;
# then the three real nodes (TestRealOnPrem, and the lesson end to end on
# them with the podlab command), alone for the same reason.
test: lint fuzz cluster-up browser-deps
	PODLAB_E2E=1 $(GO) test -count=1 -timeout 30m ./...
	PODLAB_E2E=1 PODLAB_REAL_KUBEADM=1 $(GO) test -count=1 -timeout 10m -run '^TestRealKubeadmInit$$' -v ./providers/kubeadm/
	PODLAB_E2E=1 PODLAB_ONPREM=1 $(GO) test -count=1 -timeout 30m -run '^(TestRealOnPrem|TestRealOnPremLesson|TestRealOnPremFaults|TestRealOnPremInterruptedInit)$$' -v ./providers/kubeadm/

# Headless Chromium and a Korean font from Debian, for the test that
# renders the Korean grading report (test/browser), and zsh, in which the
# end-to-end tests load the completion script. The lock timeout lets it
# wait for the cluster harness's own apt-get instead of failing.
browser-deps:
	@if ! command -v chromium >/dev/null || ! command -v zsh >/dev/null || ! fc-list 2>/dev/null | grep -q 'Noto Sans CJK KR'; then \
		apt-get -o DPkg::Lock::Timeout=600 update && \
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y chromium fonts-noto-cjk zsh; \
	fi

# The README's first command: the course lab applied, checked and destroyed
# on the local test cluster.
demo:
	hack/demo.sh

cluster-up:
	$(CLUSTER) up

cluster-down:
	$(CLUSTER) down

cluster-status:
	$(CLUSTER) status
