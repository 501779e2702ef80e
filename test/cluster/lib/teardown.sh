# shellcheck shell=bash
# Teardown, and the clean-up of what a killed run leaves behind. Everything
# here tolerates finding nothing, so it serves both `down` and `up` after a
# crash. containerd 1.6, libcni and the kubelet write outside their
# configured roots; those places are listed in testground.md and cleared here.

CGROUP_GROUPS=(kubepods k8s.io)
LEFTOVER_DIRS=(/run/containerd/s /run/containerd/fifo /run/containerd/runc /var/lib/kubelet/device-plugins)

# cgroup_mounts prints the mount point of every cgroup hierarchy (v1 and v2).
cgroup_mounts() {
	awk '$3 == "cgroup" || $3 == "cgroup2" { print $2 }' /proc/mounts
}

# cluster_cgroups prints the cluster's cgroup directories in every hierarchy.
cluster_cgroups() {
	local m g
	while read -r m; do
		for g in "${CGROUP_GROUPS[@]}"; do
			[[ -d $m/$g ]] && echo "$m/$g"
		done
	done < <(cgroup_mounts)
}

cluster_cgroup_pids() {
	local dir
	while read -r dir; do
		find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null
	done < <(cluster_cgroups) | sort -un
}

# While containerd still runs, deleting its tasks lets the shims unmount
# container root filesystems and exit on their own.
delete_containerd_tasks() {
	component_pid containerd >/dev/null || return 0
	[[ -S $CONTAINERD_SOCK ]] || return 0
	local id
	while read -r id; do
		[[ -n $id ]] || continue
		timeout 10 ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks delete --force "$id" >/dev/null 2>&1 || true
	done < <(timeout 10 ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks ls -q 2>/dev/null || true)
}

# Container processes are the ones in the cluster's cgroups; each is killed
# by its PID. After a crash this is the only record of them.
kill_pod_processes() {
	local pid pids i
	for ((i = 0; i < 50; i++)); do
		pids=$(cluster_cgroup_pids)
		[[ -n $pids ]] || return 0
		for pid in $pids; do
			kill -KILL "$pid" 2>/dev/null || true
		done
		sleep 0.1
	done
	log "warning: processes still in the cluster's cgroups: $(cluster_cgroup_pids | tr '\n' ' ')"
}

# Shims reparent to init and outlive containerd. Each task bundle in
# containerd's state dir names its shim's socket; the process listening on
# that socket is the shim, stopped by its PID.
kill_shims() {
	local f sock pid exe shim
	shim=$(realpath "$(command -v containerd-shim-runc-v2)")
	for f in "$CONTAINERD_STATE"/io.containerd.runtime.v2.task/*/*/address; do
		[[ -f $f ]] || continue
		sock=$(<"$f")
		sock=${sock#unix://}
		for pid in $(ss -xlpn | awk -v s="$sock" '$5 == s' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
			exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
			[[ ${exe% (deleted)} == "$shim" ]] || continue
			stop_pid "$pid" containerd-shim
		done
	done
}

remove_cgroups() {
	local dir
	while read -r dir; do
		# Children before parents; rmdir is the only way to remove a cgroup.
		find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
		[[ -d $dir ]] && log "warning: could not remove cgroup $dir"
	done < <(cluster_cgroups)
	return 0
}

remove_netns() {
	local ns
	for ns in /run/netns/cni-*; do
		[[ -e $ns ]] || continue
		umount "$ns" 2>/dev/null || umount -l "$ns" 2>/dev/null || true
		rm -f "$ns"
	done
}

remove_interfaces() {
	local dev
	for dev in "$POD_BRIDGE" "$NODE_BRIDGE"; do
		if ip link show "$dev" >/dev/null 2>&1; then
			ip link delete "$dev" || log "warning: could not delete interface $dev"
		fi
	done
}

remove_leftover_files() {
	local d
	for d in "${LEFTOVER_DIRS[@]}"; do
		rm -rf --one-file-system "$d"
	done
	# libcni caches each attachment's result here: podlab-* for the pod
	# network, cni-loopback-* for the loopback network containerd adds.
	rm -f /var/lib/cni/results/podlab-* /var/lib/cni/results/cni-loopback-*
	# The kubelet links every container log here, whatever podLogsDir says.
	local link
	for link in /var/log/containers/*.log; do
		[[ -L $link && $(readlink "$link") == "$CLUSTER_DIR"/* ]] && rm -f "$link"
	done
	# Only parents that are empty, so nothing another program uses.
	rmdir /run/containerd /var/lib/cni/results /var/lib/cni /var/lib/kubelet /var/log/containers 2>/dev/null || true
}

restore_sysctls() {
	local saved=$RUN_DIR/ip_forward.orig
	if [[ -f $saved ]]; then
		# The CNI bridge plugin turns forwarding on for its gateway.
		cat "$saved" >/proc/sys/net/ipv4/ip_forward
	fi
}

teardown() {
	stop_component kubelet
	delete_containerd_tasks
	stop_component containerd
	kill_pod_processes
	kill_shims
	local c
	for c in kube-scheduler kube-controller-manager apiproxy kube-apiserver etcd registry; do
		stop_component "$c"
	done
	unmount_under "$CLUSTER_DIR"
	remove_netns
	remove_cgroups
	remove_interfaces
	remove_leftover_files
	restore_sysctls
	local left
	left=$(processes_using_cluster_dir)
	if [[ -n $left ]]; then
		# Removing the dir under them would orphan them for good.
		die "processes not started under this runtime dir's PID files still use $CLUSTER_DIR; stop them, then rerun: $left"
	fi
	if [[ -d $CLUSTER_DIR ]]; then
		rm -rf --one-file-system "$CLUSTER_DIR" || die "could not remove $CLUSTER_DIR (still mounted?)"
	fi
}

# processes_using_cluster_dir lists "pid:name" of processes whose command
# line names the runtime dir, as every component's does.
processes_using_cluster_dir() {
	local d pid args
	for d in /proc/[0-9]*; do
		pid=${d#/proc/}
		((pid == $$)) && continue
		args=$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null) || continue
		[[ $args == *"$CLUSTER_DIR/"* ]] || continue
		[[ $args == *cluster.sh* ]] && continue
		printf '%s:%s ' "$pid" "$(cat "$d/comm" 2>/dev/null)"
	done
}

# leftovers_present is true when anything of an earlier run is still here.
leftovers_present() {
	[[ -e $CLUSTER_DIR ]] && return 0
	ip link show "$NODE_BRIDGE" >/dev/null 2>&1 && return 0
	ip link show "$POD_BRIDGE" >/dev/null 2>&1 && return 0
	[[ -n $(cluster_cgroups) ]] && return 0
	local d
	for d in "${LEFTOVER_DIRS[@]}"; do
		[[ -e $d ]] && return 0
	done
	return 1
}
