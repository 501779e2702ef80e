# Shared helpers for podlab's benchmark scripts: run each measured command
# several times on the test cluster and report medians and ratios.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-5}

require_cluster() {
	local envfile=${PODLAB_TEST_CLUSTER:-/var/lib/podlab-testcluster}/env
	if [[ ! -r $envfile ]]; then
		echo "no test cluster: run make cluster-up" >&2
		exit 1
	fi
	set -a
	# shellcheck disable=SC1090
	source "$envfile"
	set +a
	command -v kubectl >/dev/null || { echo "the floor needs kubectl on PATH" >&2; exit 1; }
	PODLAB=${PODLAB:-$ROOT/bin/podlab}
	(cd "$ROOT" && go build -o "$PODLAB" ./cmd/podlab)
}

now() { date +%s.%N; }

# seconds CMD...: run CMD quietly and print how long it took.
seconds() {
	local t0 t1
	t0=$(now)
	"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; "$@" >&2 || true; exit 1; }
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

ratio() { echo "scale=2; $1 / $2" | bc -l; }

# report NAME FLOOR VALUE TARGET: one line with the ratio and the verdict.
report() {
	local r
	r=$(ratio "$3" "$2")
	local verdict=ok
	if (( $(echo "$r > $4" | bc -l) )); then verdict=MISSED; fi
	printf '%-44s floor %6.2fs  podlab %6.2fs  ratio %5s (target <= %s) %s\n' "$1" "$2" "$3" "$r" "$4" "$verdict"
}
