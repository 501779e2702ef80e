#!/usr/bin/env bash
# Time to a graded seat (issue #15): the course lab for 1, 10 and 40 seats,
# podlab apply with its checks against the floor of the same pods applied
# by one kubectl apply into namespaces made beforehand and awaited with
# kubectl wait; medians of RUNS runs, side by side in one run. Then the
# no-change plan's time and the peak RSS of plan, apply, check and destroy
# at each size. Targets: apply + checks <= 1.15x the floor at 1 and 10
# seats; a no-change plan <= 0.25 s at 10 seats.
source "$(dirname "$0")/lib.sh"
require_cluster
SIZES=${SIZES:-1 10 40}
RUNS=${RUNS:-3}

work=$(mktemp -d)
cleanup() {
	[[ -d $work/lab ]] && (cd "$work/lab" && "$PODLAB" destroy -auto-approve -grace-period 0 -var "students=$(cat "$work/seats" 2>/dev/null || echo null)" >/dev/null 2>&1 || true)
	kubectl delete namespace -l bench=seats-floor --wait=false >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/lab"
"$PODLAB" init -chdir "$work/lab" -example pod-basics >/dev/null
export PODLAB_WORKSPACE=benchseats

seatlist() { # N: ["s01", ...]
	local s
	s=$(for i in $(seq 1 "$1"); do printf '"s%02d",' "$i"; done)
	echo "[${s%,}]"
}

# floor N: seconds for one kubectl apply of N seats' pods plus the wait.
floor() {
	local n=$1 f=$work/floor.yaml t0 src
	: >"$f"
	for i in $(seq 1 "$n"); do
		for ex in nginx sidecar; do
			local ns=floor-s$i-$ex
			kubectl create namespace "$ns" >/dev/null
			kubectl label namespace "$ns" bench=seats-floor >/dev/null
			src=$ROOT/examples/pod-basics/k8s_yaml/nginx-pod.yaml
			[[ $ex == sidecar ]] && src=$ROOT/examples/pod-basics/k8s_yaml/nginx-pod-with-ubuntu.yaml
			{ printf -- '---\n'; sed "s/^metadata:/metadata:\n  namespace: $ns\n  labels:\n    bench: seats-floor/" "$src"; } >>"$f"
		done
	done
	for ns in $(kubectl get ns -l bench=seats-floor -o name); do
		kubectl -n "${ns#namespace/}" wait --for=create serviceaccount/default --timeout=60s >/dev/null
	done
	t0=$(now)
	kubectl apply -f "$f" >/dev/null
	kubectl wait --for=condition=Ready pod -l bench=seats-floor --all-namespaces --timeout=600s >/dev/null
	echo "$(now) - $t0" | bc -l
	kubectl delete namespace -l bench=seats-floor --wait=true >/dev/null
}

json() { sed "s/.*\"$1\":\([0-9]*\).*/\1/" "$2"; }
mb() { echo $(($(json max_rss_kb "$1") / 1024)); }

rows=()
for n in $SIZES; do
	seats=$(seatlist "$n")
	echo "$seats" >"$work/seats"
	floors=() applies=() plans=()
	for _ in $(seq 1 "$RUNS"); do
		floors+=("$(floor "$n")")
		cd "$work/lab"
		t0=$(now)
		PODLAB_API_STATS=$work/apply.json "$PODLAB" apply -auto-approve -var "students=$seats" >"$work/apply.out" 2>&1 || { tail -40 "$work/apply.out"; exit 1; }
		applies+=("$(echo "$(now) - $t0" | bc -l)")
		grep -q "$((n * 6)) checks: $((n * 6)) passed" "$work/apply.out" || { echo "checks failed:"; tail -40 "$work/apply.out"; exit 1; }
		plans+=("$(seconds "$PODLAB" plan -var "students=$seats")")
		PODLAB_API_STATS=$work/plan.json "$PODLAB" plan -var "students=$seats" >/dev/null
		PODLAB_API_STATS=$work/check.json "$PODLAB" check -var "students=$seats" >/dev/null
		PODLAB_API_STATS=$work/destroy.json "$PODLAB" destroy -auto-approve -grace-period 0 -var "students=$seats" >/dev/null
		cd "$ROOT"
	done
	f=$(printf '%s\n' "${floors[@]}" | median)
	a=$(printf '%s\n' "${applies[@]}" | median)
	p=$(printf '%s\n' "${plans[@]}" | median)
	rows+=("$(printf '| %d seat(s), %d pods, %d checks | %.2f s | %.2f s | %s | %.3f s | %s / %s / %s / %s MB |' \
		"$n" "$((n * 2))" "$((n * 6))" "$f" "$a" "$(ratio "$a" "$f")" "$p" \
		"$(mb "$work/plan.json")" "$(mb "$work/apply.json")" "$(mb "$work/check.json")" "$(mb "$work/destroy.json")")")
done

echo
echo "podlab time to a graded seat: medians of $RUNS runs on the test cluster ($(nproc) cores)"
echo
echo "| course lab | floor (kubectl apply + wait) | podlab apply + checks | ratio | no-change plan | peak RSS plan / apply / check / destroy |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
