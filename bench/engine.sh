#!/usr/bin/env bash
# Measures podlab's apply, no-change plan and destroy against the floor of
# the same work done by kubectl (apply + wait, delete ns --wait), side by
# side in one run on the test cluster. Prints medians of RUNS runs and the
# ratios issue #4 targets.
source "$(dirname "$0")/lib.sh"
require_cluster

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Two pods in one namespace: the course's pod and its sidecar pod (renamed,
# since both are called my-nginx-pod in the course).
mkdir -p "$work/k8s"
cp "$ROOT/examples/pod-basics/k8s_yaml/nginx-pod.yaml" "$work/k8s/a.yaml"
sed 's/name: my-nginx-pod/name: my-nginx-pod-2/' "$ROOT/examples/pod-basics/k8s_yaml/nginx-pod-with-ubuntu.yaml" >"$work/k8s/b.yaml"
cat "$work/k8s/a.yaml" >"$work/k8s/both.yaml"
printf -- '---\n' >>"$work/k8s/both.yaml"
cat "$work/k8s/b.yaml" >>"$work/k8s/both.yaml"

# lab DIR EXERCISES: a lab of N exercises, each holding the two pods.
lab() {
	mkdir -p "$1"
	cp "$work/k8s/a.yaml" "$work/k8s/b.yaml" "$1/"
	{
		echo 'lab { name = "bench" }'
		printf 'cluster "kubeconfig" {\n  kubeconfig {}\n}\n'
		for i in $(seq 1 "$2"); do
			printf 'exercise "ex%02d" {\n  manifests = [file("a.yaml"), file("b.yaml")]\n}\n' "$i"
		done
	} >"$1/lab.podlab.hcl"
}

# floor_apply NS...: the pods of every namespace in ONE kubectl apply, then
# one kubectl wait, with the namespaces made beforehand (kubectl cannot make
# a namespace and its pods in one go: the pods are refused until the
# namespace's service account exists).
floor_apply() {
	local all=$work/floor-all.yaml t0 t1
	: >"$all"
	for ns in "$@"; do
		kubectl create namespace "$ns" >/dev/null
		kubectl label namespace "$ns" bench=engine-floor >/dev/null
		sed "s/^metadata:/metadata:\n  namespace: $ns\n  labels:\n    bench: engine-floor/" "$work/k8s/both.yaml" >>"$all"
		printf -- '---\n' >>"$all"
	done
	for ns in "$@"; do kubectl -n "$ns" wait --for=create serviceaccount/default --timeout=60s >/dev/null; done
	t0=$(now)
	kubectl apply -f "$all" >/dev/null
	kubectl wait --for=condition=Ready pod -l bench=engine-floor --all-namespaces --timeout=300s >/dev/null
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}

floor_delete() { # NS...
	local t0 t1
	t0=$(now)
	kubectl delete namespace "$@" --wait=true >/dev/null
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}

declare -A floor podlab
for n in 1 10; do
	lab "$work/lab$n" "$n"
	fa=() fd=() pa=() pd=() pp=()
	for run in $(seq 1 "$RUNS"); do
		nss=()
		for i in $(seq 1 "$n"); do nss+=("floor-$n-$run-$i"); done
		fa+=("$(floor_apply "${nss[@]}")")
		fd+=("$(floor_delete "${nss[@]}")")
		pa+=("$(cd "$work/lab$n" && seconds "$PODLAB" apply -auto-approve -checks=false -no-color)")
		pp+=("$(cd "$work/lab$n" && seconds "$PODLAB" plan -no-color)")
		pd+=("$(cd "$work/lab$n" && seconds "$PODLAB" destroy -auto-approve -no-color)")
	done
	floor[apply$n]=$(printf '%s\n' "${fa[@]}" | median)
	floor[delete$n]=$(printf '%s\n' "${fd[@]}" | median)
	podlab[apply$n]=$(printf '%s\n' "${pa[@]}" | median)
	podlab[plan$n]=$(printf '%s\n' "${pp[@]}" | median)
	podlab[destroy$n]=$(printf '%s\n' "${pd[@]}" | median)
done

# API requests of a no-change plan, with 2 and with 20 pods in one namespace.
requests() { # PODS
	local d=$work/req$1
	mkdir -p "$d"
	{
		echo 'lab { name = "benchreq" }'
		printf 'cluster "kubeconfig" {\n  kubeconfig {}\n}\n'
		printf 'exercise "many" {\n  manifests = [\n'
		for i in $(seq 1 "$1"); do printf '    yamlencode({apiVersion = "v1", kind = "Pod", metadata = {name = "p%02d"}, spec = {containers = [{name = "c", image = "nginx:latest"}]}}),\n' "$i"; done
		printf '  ]\n}\n'
	} >"$d/lab.podlab.hcl"
	(cd "$d" && "$PODLAB" apply -auto-approve -checks=false >/dev/null)
	(cd "$d" && PODLAB_API_STATS=$d/stats.json "$PODLAB" plan >/dev/null)
	local reads
	reads=$(sed 's/.*"reads":\([0-9]*\).*/\1/' "$d/stats.json")
	(cd "$d" && "$PODLAB" destroy -auto-approve >/dev/null)
	echo "$reads"
}
req2=$(requests 2)
req20=$(requests 20)

echo
echo "podlab engine benchmark: medians of $RUNS runs on the test cluster ($(nproc) cores)"
report "apply, course's 2 pods in one namespace" "${floor[apply1]}" "${podlab[apply1]}" 1.15
report "apply, 10 exercises x 2 pods" "${floor[apply10]}" "${podlab[apply10]}" 1.15
report "destroy vs kubectl delete ns --wait (1)" "${floor[delete1]}" "${podlab[destroy1]}" 1.2
report "destroy vs kubectl delete ns --wait (10)" "${floor[delete10]}" "${podlab[destroy10]}" 1.2
printf '%-44s %6.3fs (target < 0.25s); 10 exercises: %6.3fs\n' "no-change plan, 2 pods" "${podlab[plan1]}" "${podlab[plan10]}"
printf '%-44s %s requests with 2 pods, %s with 20 pods (must not grow)\n' "no-change plan API requests" "$req2" "$req20"
