# podlab: build, test and the local test cluster.
SHELL := /bin/bash
GO ?= go
BIN := bin/podlab

.PHONY: build test test-unit cluster-up cluster-down

build:
	$(GO) build -o $(BIN) ./cmd/podlab

test-unit:
	$(GO) vet ./...
	$(GO) test -short ./...

test: test-unit
