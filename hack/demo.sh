#!/usr/bin/env bash
# podlab's main job on the bundled course lab: bring the local test cluster
# up, apply the lab (which runs its checks), show the results again, and
# destroy everything. `make demo` runs it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

make --no-print-directory build cluster-up
set -a
# shellcheck disable=SC1091
source "${PODLAB_TEST_CLUSTER:-/var/lib/podlab-testcluster}/env"
set +a

lab=$(mktemp -d)
trap 'rm -rf "$lab"' EXIT
bin/podlab init -chdir "$lab" -example pod-basics >/dev/null
cd "$lab"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
step podlab apply -auto-approve -var target=kubeconfig
"$ROOT/bin/podlab" apply -auto-approve -var target=kubeconfig
step podlab check
"$ROOT/bin/podlab" check -var target=kubeconfig
# -grace-period 0: the course's sidecar runs `tail -f /dev/null`, which
# ignores SIGTERM and would hold the destroy for its full 30 seconds.
step podlab destroy -auto-approve -grace-period 0
"$ROOT/bin/podlab" destroy -auto-approve -grace-period 0 -var target=kubeconfig
