#!/usr/bin/env bash
# A real single-node Kubernetes for podlab's tests: etcd, kube-apiserver,
# controller-manager, scheduler, containerd, runc, CNI bridge and kubelet, with
# the course's images served from a registry on loopback. See README.md,
# "Running the tests".
#
# usage: cluster.sh up|down|status|env|logs|apiserver-stop|apiserver-start|build
#
# Environment:
#   PODLAB_CLUSTER_DIR  runtime dir (default /var/lib/podlab-testcluster)
#   PODLAB_CACHE_DIR    builds, rootfs and registry storage kept across runs
#                       (default ${XDG_CACHE_HOME:-$HOME/.cache}/podlab)
set -euo pipefail

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$HARNESS_DIR/../.." && pwd)
for lib in common build images pki config components teardown host; do
	# shellcheck source=/dev/null
	source "$HARNESS_DIR/lib/$lib.sh"
done

# One command at a time changes a cluster: two `make test` runs, from any
# checkout and with any cache, would otherwise race to start or stop it. The
# lock is named after the runtime dir and lives in /run/lock, which a reboot
# clears along with everything else the cluster had.
take_lock() {
	local dir=/run/lock key
	[[ -d $dir && -w $dir ]] || dir=/tmp
	key=$(realpath -m "$CLUSTER_DIR" | sha256sum | cut -c1-12)
	LOCK_FILE="$dir/podlab-testcluster-$key.lock"
	exec {lock_fd}>"$LOCK_FILE"
	if ! flock -n "$lock_fd"; then
		log "waiting for another cluster.sh command on $CLUSTER_DIR to finish"
		flock -w 1800 "$lock_fd" || die "timed out waiting for $LOCK_FILE"
	fi
}

# cluster_healthy is true when an `up` finished, every component still runs
# under its recorded PID and the API server is ready.
cluster_healthy() {
	[[ -f $RUN_DIR/up.done ]] || return 1
	local c
	for c in "${COMPONENTS[@]}"; do
		component_pid "$c" >/dev/null || return 1
	done
	curl_api /readyz >/dev/null 2>&1
}

print_access() {
	log "admin kubeconfig: $ADMIN_KUBECONFIG"
	log "token kubeconfig: $TOKEN_KUBECONFIG"
	echo "export KUBECONFIG=$ADMIN_KUBECONFIG"
	echo "export PODLAB_TEST_CLUSTER=$CLUSTER_DIR"
}

BG_PIDS=()

# spawn LOGFILE FUNCTION runs a slow build step in its own process group, so
# that it can be stopped whole if bring-up fails meanwhile.
spawn() {
	local logfile=$1
	shift
	set -m
	("$@") >"$logfile" 2>&1 &
	BG_PIDS+=($!)
	set +m
}

stop_spawned() {
	local pid
	for pid in "${BG_PIDS[@]}"; do
		kill -TERM -- "-$pid" 2>/dev/null || true
	done
}

# await_spawned NAME PID LOGFILE waits for a background step and shows its log.
await_spawned() {
	local name=$1 pid=$2 logfile=$3 rc=0
	wait "$pid" || rc=$?
	sed 's/^/  /' "$logfile" >&2
	((rc == 0)) || die "$name failed"
}

cmd_up() {
	require_root
	local start
	start=$(now)
	phase packages ensure_packages
	load_env_file
	if cluster_healthy; then
		log "a healthy cluster is already up in $CLUSTER_DIR; reusing it"
		print_access
		return 0
	fi
	if leftovers_present; then
		phase clear-leftovers teardown
	fi
	preflight
	load_env_file

	# The Kubernetes build is CPU-bound and debootstrap mostly waits on the
	# mirror: they overlap well, and the rest of the set-up runs meanwhile.
	K8S_LOG=$(mktemp /tmp/podlab-k8s-build.XXXXXX)
	ROOTFS_LOG=$(mktemp /tmp/podlab-rootfs.XXXXXX)
	trap 'stop_spawned; rm -f "$K8S_LOG" "$ROOTFS_LOG"' EXIT
	local build_start k8s_pid rootfs_pid
	build_start=$(now)
	spawn "$K8S_LOG" build_k8s
	k8s_pid=${BG_PIDS[-1]}
	spawn "$ROOTFS_LOG" build_rootfs
	rootfs_pid=${BG_PIDS[-1]}

	phase go-tools build_tools
	phase network setup_network
	phase pki make_pki
	make_kubeconfigs
	write_configs
	write_env
	phase registry start_registry
	phase rootfs await_spawned rootfs "$rootfs_pid" "$ROOTFS_LOG"
	phase images push_images
	phase kubernetes-binaries await_spawned "Kubernetes build" "$k8s_pid" "$K8S_LOG"
	log "builds finished $(elapsed_since "$build_start") after they started"
	phase etcd start_etcd
	phase kube-apiserver start_apiserver
	phase apiproxy start_apiproxy
	phase kube-controller-manager start_controller_manager
	phase kube-scheduler start_scheduler
	phase containerd start_containerd
	phase pause-image import_pause_image
	phase kubelet start_kubelet
	phase node-ready wait_node_ready
	touch "$RUN_DIR/up.done"
	trap - EXIT
	rm -f "$K8S_LOG" "$ROOTFS_LOG"
	log "cluster up in $(elapsed_since "$start"): $("$K8S_BIN_DIR/kube-apiserver" --version), node $NODE_NAME ($NODE_IP)"
	print_access
}

cmd_down() {
	require_root
	load_env_file
	if ! leftovers_present; then
		log "no cluster to tear down"
		return 0
	fi
	phase wait-for-tests wait_for_tests
	phase teardown teardown
}

# wait_for_tests lets end-to-end tests that are using the cluster finish:
# each holds run/tests.lock shared (internal/testcluster) while it runs.
wait_for_tests() {
	local lock=$RUN_DIR/tests.lock fd
	[[ -f $lock ]] || return 0
	exec {fd}<>"$lock"
	if ! flock -n -x "$fd"; then
		log "end-to-end tests are using the cluster; waiting up to 10 min for them to finish"
		flock -w 600 -x "$fd" || log "warning: tests still running; tearing down anyway"
	fi
}

cmd_status() {
	load_env_file
	local c pid healthy=0
	if [[ ! -d $CLUSTER_DIR ]]; then
		echo "no cluster in $CLUSTER_DIR"
		return 1
	fi
	for c in "${COMPONENTS[@]}"; do
		if pid=$(component_pid "$c"); then
			printf '%-24s running (pid %s)\n' "$c" "$pid"
		else
			printf '%-24s stopped\n' "$c"
			healthy=1
		fi
	done
	if curl_api /readyz >/dev/null 2>&1; then
		printf '%-24s ready\n' "api /readyz"
	else
		printf '%-24s not ready\n' "api /readyz"
		healthy=1
	fi
	if node_ready 2>/dev/null; then
		printf '%-24s Ready\n' "node $NODE_NAME"
	else
		printf '%-24s not Ready\n' "node $NODE_NAME"
		healthy=1
	fi
	echo "KUBECONFIG=$ADMIN_KUBECONFIG"
	return $healthy
}

cmd_logs() {
	local c
	for c in "${COMPONENTS[@]}"; do
		[[ -f $LOG_DIR/$c.log ]] || continue
		echo "===== $c (last 100 lines of $LOG_DIR/$c.log)"
		tail -n 100 "$LOG_DIR/$c.log"
	done
}

cmd_apiserver_stop() {
	require_root
	load_env_file
	component_pid kube-apiserver >/dev/null || die "kube-apiserver is not running"
	stop_component kube-apiserver
}

cmd_apiserver_start() {
	require_root
	load_env_file
	[[ -f $PKI_DIR/done ]] || die "no cluster in $CLUSTER_DIR: run 'make cluster-up'"
	if component_pid kube-apiserver >/dev/null; then
		log "kube-apiserver already running"
		return 0
	fi
	phase kube-apiserver start_apiserver
	phase control-plane-recovered wait_control_plane
}

main() {
	local cmd=${1:-}
	case $cmd in
	up) take_lock && cmd_up ;;
	down) take_lock && cmd_down ;;
	status) cmd_status ;;
	env) print_env ;;
	logs) cmd_logs ;;
	apiserver-stop) take_lock && phase apiserver-stop cmd_apiserver_stop ;;
	apiserver-start) take_lock && cmd_apiserver_start ;;
	build) phase build-kubernetes build_k8s ;;
	*)
		sed -n 's/^# usage: /usage: /p' "${BASH_SOURCE[0]}" >&2
		exit 2
		;;
	esac
}

main "$@"
