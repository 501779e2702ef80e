#!/usr/bin/env bash
# Measures podlab check on the course lab against a script running the same
# probes with kubectl (readiness, curl from a pod, exec, logs,
# api-resources), side by side on the test cluster. Issue #5's target: a
# ratio of at most 0.5.
source "$(dirname "$0")/lib.sh"
require_cluster

lab=$(mktemp -d)
trap 'cd "$lab" && "$PODLAB" destroy -auto-approve -grace-period 0 >/dev/null 2>&1; rm -rf "$lab"' EXIT
"$PODLAB" init -chdir "$lab" -example pod-basics >/dev/null
cd "$lab"
export PODLAB_WORKSPACE=benchchecks
"$PODLAB" apply -auto-approve -checks=false >/dev/null
"$PODLAB" check >/dev/null # the first run starts the node probe pod, which later runs reuse

ns1=pod-basics-benchchecks-nginx-pod
ns2=pod-basics-benchchecks-sidecar

# The same six probes a grader would script with kubectl.
kubectl_checks() {
	kubectl -n "$ns1" wait --for=condition=Ready pod/my-nginx-pod --timeout=60s
	ip=$(kubectl -n "$ns1" get pod my-nginx-pod -o jsonpath='{.status.podIP}')
	kubectl -n "$ns2" exec my-nginx-pod -c ubuntu-sidecar-container -- curl -s "http://$ip/" | grep -q 'Welcome to nginx!'
	kubectl -n "$ns1" logs my-nginx-pod -c my-nginx-container | grep -q '"GET / HTTP/1.1" 200'
	kubectl api-resources --api-group='' | grep -q '^pods '
	kubectl -n "$ns2" wait --for=condition=Ready pod/my-nginx-pod --timeout=60s
	kubectl -n "$ns2" exec my-nginx-pod -c ubuntu-sidecar-container -- curl -s localhost | grep -q 'Welcome to nginx!'
}

k=() p=()
for _ in $(seq 1 "$RUNS"); do
	k+=("$(seconds kubectl_checks)")
	p+=("$(seconds "$PODLAB" check)")
done
kmed=$(printf '%s\n' "${k[@]}" | median)
pmed=$(printf '%s\n' "${p[@]}" | median)
echo
echo "podlab check benchmark: medians of $RUNS runs on the test cluster ($(nproc) cores)"
report "course lab checks vs the kubectl script" "$kmed" "$pmed" 0.5
