#!/usr/bin/env bash
# Where podlab's memory goes (issue #15): for a no-change plan and an apply
# of the course lab at 1 and 10 seats, the peak resident set split into the
# binary's own pages (file-backed, shared with every podlab process and
# reclaimable) and the process's private memory (anonymous: heap, stacks),
# sampled every 20 ms; then the top allocation sites of each command
# (PODLAB_MEMPROFILE, go tool pprof).
source "$(dirname "$0")/lib.sh"
require_cluster

work=$(mktemp -d)
trap 'cd "$work/lab" 2>/dev/null && "$PODLAB" destroy -auto-approve -grace-period 0 -var "students=$(cat "$work/seats")" >/dev/null 2>&1; rm -rf "$work"' EXIT
mkdir -p "$work/lab"
"$PODLAB" init -chdir "$work/lab" -example pod-basics >/dev/null
export PODLAB_WORKSPACE=benchprof

# sample NAME CMD...: run CMD, sampling its smaps_rollup; print the peak.
sample() {
	local name=$1 pid peak=0 anon=0 file=0 r a
	shift
	"$@" >/dev/null 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if [[ -r /proc/$pid/smaps_rollup ]]; then
			r=$(awk '/^Rss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
			a=$(awk '/^Anonymous:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
			if [[ -n $r ]] && ((r > peak)); then peak=$r anon=$a file=$((r - a)); fi
		fi
		sleep 0.02
	done
	wait "$pid" || true
	printf '%-22s peak RSS %3d MB = binary pages %3d MB + private %3d MB\n' "$name" $((peak / 1024)) $((file / 1024)) $((anon / 1024))
}

cd "$work/lab"
for n in 1 10; do
	s=$(for i in $(seq 1 "$n"); do printf '"s%02d",' "$i"; done)
	seats="[${s%,}]"
	echo "$seats" >"$work/seats"
	sample "apply, $n seat(s)" env PODLAB_MEMPROFILE="$work/apply$n.prof" "$PODLAB" apply -auto-approve -var "students=$seats"
	sample "plan, $n seat(s)" env PODLAB_MEMPROFILE="$work/plan$n.prof" "$PODLAB" plan -var "students=$seats"
	"$PODLAB" destroy -auto-approve -grace-period 0 -var "students=$seats" >/dev/null
done
for p in plan1 plan10 apply1 apply10; do
	echo
	echo "== $p: allocations (go tool pprof -sample_index=alloc_space -top)"
	go tool pprof -sample_index=alloc_space -top "$PODLAB" "$work/$p.prof" 2>/dev/null | sed -n '5,16p'
done
