#!/usr/bin/env bash
# A class of 40 seats of the course lab (80 pods) on the test cluster:
# podlab apply with its 240 checks against the floor of the same pods
# applied at once by one kubectl apply and awaited with kubectl wait; a
# no-change plan; the API requests a plan makes as seats hold more pods;
# podlab's peak memory. Issue #8's targets: at most 1.2x the floor, a plan
# under 1 s, requests constant in the objects of a kind, peak RSS < 100 MB.
source "$(dirname "$0")/lib.sh"
require_cluster
SEATS=${SEATS:-40}

work=$(mktemp -d)
cleanup() {
	for l in "$work"/lab*; do
		[[ -d $l ]] && (cd "$l" && "$PODLAB" destroy -auto-approve -grace-period 0 >/dev/null 2>&1 || true)
	done
	kubectl delete namespace -l bench=class-floor --wait=false >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

seats=$(for i in $(seq 1 "$SEATS"); do printf '"s%02d",' "$i"; done)
seats="[${seats%,}]"

# The floor: every seat's two pods in their namespaces, one kubectl apply.
floor=$work/floor.yaml
: >"$floor"
for i in $(seq 1 "$SEATS"); do
	for ex in nginx sidecar; do
		ns=floor-s$i-$ex
		kubectl create namespace "$ns" >/dev/null
		kubectl label namespace "$ns" bench=class-floor >/dev/null
		src=$ROOT/examples/pod-basics/k8s_yaml/nginx-pod.yaml
		[[ $ex == sidecar ]] && src=$ROOT/examples/pod-basics/k8s_yaml/nginx-pod-with-ubuntu.yaml
		{ printf -- '---\n'; sed "s/^metadata:/metadata:\n  namespace: $ns\n  labels:\n    bench: class-floor/" "$src"; } >>"$floor"
	done
done
for ns in $(kubectl get ns -l bench=class-floor -o name); do
	kubectl -n "${ns#namespace/}" wait --for=create serviceaccount/default --timeout=60s >/dev/null
done
t0=$(now)
kubectl apply -f "$floor" >/dev/null
kubectl wait --for=condition=Ready pod -l bench=class-floor --all-namespaces --timeout=600s >/dev/null
floor_apply=$(echo "$(now) - $t0" | bc -l)
kubectl delete namespace -l bench=class-floor --wait=true >/dev/null

mkdir -p "$work/lab"
"$PODLAB" init -chdir "$work/lab" -example pod-basics >/dev/null
cd "$work/lab"
export PODLAB_WORKSPACE=benchclass
t0=$(now)
PODLAB_API_STATS=$work/apply.json "$PODLAB" apply -auto-approve -var "students=$seats" >"$work/apply.out" 2>&1 || { tail -40 "$work/apply.out"; exit 1; }
podlab_apply=$(echo "$(now) - $t0" | bc -l)
grep -q "$((SEATS * 6)) checks: $((SEATS * 6)) passed" "$work/apply.out" || { echo "checks failed:"; tail -40 "$work/apply.out"; exit 1; }
plans=()
for _ in $(seq 1 "$RUNS"); do plans+=("$(seconds "$PODLAB" plan -var "students=$seats")"); done
plan=$(printf '%s\n' "${plans[@]}" | median)
PODLAB_API_STATS=$work/plan.json "$PODLAB" plan -var "students=$seats" >/dev/null
PODLAB_API_STATS=$work/check.json "$PODLAB" check -var "students=$seats" >/dev/null
t0=$(now)
PODLAB_API_STATS=$work/destroy.json "$PODLAB" destroy -auto-approve -var "students=$seats" -grace-period 0 >/dev/null
podlab_destroy=$(echo "$(now) - $t0" | bc -l)

# Requests of a no-change plan when each seat's exercise holds 1 or 5 pods
# (10 seats: 40 seats of 5 pods would not fit on the test node).
requests() { # PODS
	local d=$work/lab$1
	mkdir -p "$d"
	cat >"$d/lab.podlab.hcl" <<HCL
lab {
  name  = "benchreq"
  seats = 10
}
cluster "kubeconfig" {
  kubeconfig {}
}
exercise "many" {
  manifests = [for i in range($1) : yamlencode({apiVersion = "v1", kind = "Pod", metadata = {name = "p\${i}"}, spec = {terminationGracePeriodSeconds = 0, containers = [{name = "c", image = "nginx:latest"}]}})]
}
HCL
	(cd "$d" && "$PODLAB" apply -auto-approve -checks=false >/dev/null)
	(cd "$d" && PODLAB_API_STATS=$d/stats.json "$PODLAB" plan >/dev/null)
	(cd "$d" && "$PODLAB" destroy -auto-approve -grace-period 0 >/dev/null)
	json reads "$d/stats.json"
}
json() { sed "s/.*\"$1\":\([0-9]*\).*/\1/" "$2"; }
r1=$(requests 1)
r5=$(requests 5)

echo
echo "podlab class benchmark: $SEATS seats, $((SEATS * 2)) pods, on the test cluster ($(nproc) cores)"
report "apply + $((SEATS * 6)) checks vs kubectl apply + wait" "$floor_apply" "$podlab_apply" 1.2
printf '%-44s %6.3fs (target < 1s), median of %s\n' "no-change plan" "$plan" "$RUNS"
printf '%-44s %s requests with 10 seats of 1 pod, %s with 10 seats of 5 (must not grow)\n' "no-change plan API requests" "$r1" "$r5"
printf '%-44s apply %s MB, plan %s MB, check %s MB, destroy %s MB (target < 100 MB)\n' "peak RSS" \
	"$(($(json max_rss_kb "$work/apply.json") / 1024))" "$(($(json max_rss_kb "$work/plan.json") / 1024))" \
	"$(($(json max_rss_kb "$work/check.json") / 1024))" "$(($(json max_rss_kb "$work/destroy.json") / 1024))"
printf '%-44s %.1fs (grace period 0)\n' "destroy" "$podlab_destroy"
