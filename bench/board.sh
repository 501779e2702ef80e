#!/usr/bin/env bash
# The live board on the test cluster (bench/board/main.go): time from a
# student's pod Ready to its cell passing on the board (median, p95),
# API requests a minute at rest, and the board's memory, for 40 and 10
# seats of 6 checks each. REST=4m sets the time at rest.
source "$(dirname "$0")/lib.sh"
require_cluster
for n in 40 10; do
	(cd "$ROOT" && go run ./bench/board -podlab "$PODLAB" -seats "$n" -changes "$n" -rest "${REST:-4m}")
done
