# shellcheck shell=bash
# Starting, checking and stopping the cluster's processes. Each one runs in
# its own session (so a Ctrl-C or a closed terminal of whoever ran `up` does
# not reach it), logs to logs/NAME.log and is known by run/NAME.pid only.

pid_file() { echo "$RUN_DIR/$1.pid"; }

# component_pid NAME prints the recorded PID if that process is still alive
# and still runs NAME's binary, so a recycled PID is never signalled.
component_pid() {
	local file pid exe want
	file=$(pid_file "$1")
	[[ -f $file ]] || return 1
	pid=$(<"$file")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
	want=$(component_exe "$1") || return 1
	want=$(realpath -m "$want")
	if [[ ${exe% (deleted)} != "$want" ]]; then
		log "note: pid $pid in $file runs $exe, not $want; treating $1 as stopped"
		return 1
	fi
	echo "$pid"
}

# start_component NAME COMMAND... runs COMMAND in the background.
start_component() {
	local name=$1 pid
	shift
	mkdir -p "$RUN_DIR" "$LOG_DIR"
	printf '\n==== %s start %s\n' "$(date -Is)" "$*" >>"$LOG_DIR/$name.log"
	# setsid execs in place (a background job is no group leader), so $! is
	# the component's own PID. The lock fd is closed, or the daemon would hold
	# cluster.sh's lock for as long as it runs.
	if [[ -n ${lock_fd:-} ]]; then
		setsid "$@" </dev/null >>"$LOG_DIR/$name.log" 2>&1 {lock_fd}>&- &
	else
		setsid "$@" </dev/null >>"$LOG_DIR/$name.log" 2>&1 &
	fi
	pid=$!
	echo "$pid" >"$(pid_file "$name")"
	# Until setsid has exec'd, the PID still shows setsid's binary.
	local i
	for ((i = 0; i < 50; i++)); do
		component_pid "$name" >/dev/null 2>&1 && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	log "started $name (pid $pid), log: $LOG_DIR/$name.log"
}

# await_component NAME TIMEOUT CHECK... waits for CHECK to succeed and fails
# early, with the tail of the log, if the process exits meanwhile.
await_component() {
	local name=$1 timeout=$2 deadline
	shift 2
	deadline=$(($(date +%s) + timeout))
	until "$@" >/dev/null 2>&1; do
		if ! component_pid "$name" >/dev/null; then
			tail -n 30 "$LOG_DIR/$name.log" >&2 || true
			die "$name exited during start (log: $LOG_DIR/$name.log)"
		fi
		if (($(date +%s) >= deadline)); then
			tail -n 30 "$LOG_DIR/$name.log" >&2 || true
			die "$name not healthy after ${timeout}s (log: $LOG_DIR/$name.log)"
		fi
		sleep 0.2
	done
}

# stop_pid PID LABEL sends TERM, then KILL after STOP_TIMEOUT seconds.
stop_pid() {
	local pid=$1 label=$2 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		# A zombie child of ours is gone for every purpose that matters.
		[[ $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) == Z ]] && return 0
		sleep 0.1
	done
	log "$label (pid $pid) ignored TERM for ${STOP_TIMEOUT}s; sending KILL"
	kill -KILL "$pid" 2>/dev/null || true
}

stop_component() {
	local name=$1 pid
	if pid=$(component_pid "$name"); then
		stop_pid "$pid" "$name"
		log "stopped $name (pid $pid)"
	fi
	rm -f "$(pid_file "$name")"
}

# curl_api PATH [CURL_ARGS...] calls the API server as the admin user.
curl_api() {
	local path=$1
	shift
	curl -fsS --max-time 5 --cacert "$PKI_DIR/ca.crt" --cert "$PKI_DIR/admin.crt" --key "$PKI_DIR/admin.key" \
		"$@" "$APISERVER_URL$path"
}

# json_has PATH TEXT: the object at PATH, whitespace removed, contains TEXT.
json_has() {
	local body
	body=$(curl_api "$1") || return 1
	[[ ${body//[[:space:]]/} == *"$2"* ]]
}

ctr_k8s() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

start_registry() {
	port_in_use "${REGISTRY_ADDR##*:}" && die "port ${REGISTRY_ADDR##*:} is taken by another process; the image registry needs it"
	start_component registry "$(component_exe registry)" serve "$CONF_DIR/registry.yml"
	await_component registry 30 curl -fsS --max-time 2 "http://$REGISTRY_ADDR/v2/"
}

start_etcd() {
	port_in_use $ETCD_CLIENT_PORT && die "port $ETCD_CLIENT_PORT is taken by another process; etcd needs it"
	mkdir -p "$ETCD_DATA_DIR"
	chmod 700 "$ETCD_DATA_DIR"
	# Plain HTTP on loopback only: nothing but the local apiserver talks to it.
	start_component etcd "$(component_exe etcd)" \
		--name podlab \
		--data-dir "$ETCD_DATA_DIR" \
		--listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
		--advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
		--listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
		--initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
		--initial-cluster "podlab=http://127.0.0.1:$ETCD_PEER_PORT" \
		--listen-metrics-urls "" \
		--logger zap
	await_component etcd 30 curl -fsS --max-time 2 "http://127.0.0.1:$ETCD_CLIENT_PORT/health"
}

apiserver_args() {
	local p=$PKI_DIR
	echo "--etcd-servers=http://127.0.0.1:$ETCD_CLIENT_PORT"
	echo "--bind-address=127.0.0.1"
	echo "--secure-port=$APISERVER_PORT"
	echo "--advertise-address=$NODE_IP"
	echo "--tls-cert-file=$p/apiserver.crt"
	echo "--tls-private-key-file=$p/apiserver.key"
	echo "--client-ca-file=$p/ca.crt"
	echo "--token-auth-file=$p/tokens.csv"
	echo "--service-account-key-file=$p/sa.pub"
	echo "--service-account-signing-key-file=$p/sa.key"
	echo "--service-account-issuer=https://kubernetes.default.svc.cluster.local"
	echo "--service-cluster-ip-range=$SERVICE_CIDR"
	echo "--authorization-mode=Node,RBAC"
	echo "--allow-privileged=true"
	echo "--kubelet-client-certificate=$p/apiserver-kubelet-client.crt"
	echo "--kubelet-client-key=$p/apiserver-kubelet-client.key"
	echo "--kubelet-certificate-authority=$p/ca.crt"
	echo "--kubelet-preferred-address-types=InternalIP,Hostname"
	echo "--shutdown-watch-termination-grace-period=2s"
	echo "--profiling=false"
}

start_apiserver() {
	port_in_use $APISERVER_PORT && die "port $APISERVER_PORT is taken by another process; kube-apiserver needs it"
	local args
	mapfile -t args < <(apiserver_args)
	start_component kube-apiserver "$K8S_BIN_DIR/kube-apiserver" "${args[@]}"
	# Asked anonymously, /readyz answers only once RBAC's caches are filled
	# (the admin certificate bypasses RBAC and would be let in earlier), so
	# no client sees a spurious "forbidden" after this returns.
	await_component kube-apiserver 90 curl -fsS --max-time 5 --cacert "$PKI_DIR/ca.crt" "$APISERVER_URL/readyz"
}

start_apiproxy() {
	port_in_use $APIPROXY_PORT && die "port $APIPROXY_PORT is taken by another process; apiproxy needs it"
	start_component apiproxy "$TOOLS_DIR/apiproxy" \
		-listen "127.0.0.1:$APIPROXY_PORT" -backend "127.0.0.1:$APISERVER_PORT" -ca "$PKI_DIR/ca.crt"
	await_component apiproxy 30 curl -fsS --max-time 2 --cacert "$PKI_DIR/ca.crt" "$APIPROXY_URL/readyz"
}

start_controller_manager() {
	local kc=$KUBECONFIG_DIR/kube-controller-manager.kubeconfig
	start_component kube-controller-manager "$K8S_BIN_DIR/kube-controller-manager" \
		--kubeconfig="$kc" \
		--authentication-kubeconfig="$kc" \
		--authorization-kubeconfig="$kc" \
		--bind-address=127.0.0.1 \
		--leader-elect=false \
		--controllers='*,-nodeipam,-service-lb-controller,-cloud-node-lifecycle' \
		--use-service-account-credentials=true \
		--service-account-private-key-file="$PKI_DIR/sa.key" \
		--root-ca-file="$PKI_DIR/ca.crt" \
		--cluster-signing-cert-file="$PKI_DIR/ca.crt" \
		--cluster-signing-key-file="$PKI_DIR/ca.key" \
		--profiling=false
	await_component kube-controller-manager 60 curl -fsSk --max-time 2 https://127.0.0.1:10257/healthz
}

start_scheduler() {
	local kc=$KUBECONFIG_DIR/kube-scheduler.kubeconfig
	start_component kube-scheduler "$K8S_BIN_DIR/kube-scheduler" \
		--kubeconfig="$kc" \
		--authentication-kubeconfig="$kc" \
		--authorization-kubeconfig="$kc" \
		--bind-address=127.0.0.1 \
		--leader-elect=false \
		--profiling=false
	await_component kube-scheduler 60 curl -fsSk --max-time 2 https://127.0.0.1:10259/healthz
}

start_containerd() {
	start_component containerd "$(component_exe containerd)" --config "$CLUSTER_DIR/containerd/config.toml"
	await_component containerd 30 ctr --address "$CONTAINERD_SOCK" version
}

# The sandbox image cannot be pulled from anywhere, so it is imported under
# the exact name containerd's sandbox_image asks for.
import_pause_image() {
	"$TOOLS_DIR/imagetool" pause -binary "$TOOLS_DIR/pause" -tag "$SANDBOX_IMAGE" -out "$CLUSTER_DIR/pause.tar"
	ctr_k8s images import "$CLUSTER_DIR/pause.tar" >/dev/null
	local images
	images=$(ctr_k8s images ls -q)
	grep -qx "$SANDBOX_IMAGE" <<<"$images" || die "$SANDBOX_IMAGE missing from containerd after import"
}

start_kubelet() {
	start_component kubelet "$K8S_BIN_DIR/kubelet" \
		--config="$CONF_DIR/kubelet.yaml" \
		--kubeconfig="$KUBECONFIG_DIR/kubelet.kubeconfig" \
		--root-dir="$KUBELET_ROOT" \
		--hostname-override="$NODE_NAME" \
		--node-ip="$NODE_IP"
	await_component kubelet 60 curl -fsS --max-time 2 http://127.0.0.1:10248/healthz
}

node_ready() {
	# The apiserver pretty-prints JSON for curl; json_has squeezes it.
	json_has "/api/v1/nodes/$NODE_NAME" '"type":"Ready","status":"True"'
}

default_sa_exists() {
	curl_api /api/v1/namespaces/default/serviceaccounts/default
}

token_works() {
	curl -fsS --max-time 5 --cacert "$PKI_DIR/ca.crt" -H "Authorization: Bearer $(cat "$TOKEN_FILE")" \
		"$APISERVER_URL/api/v1/namespaces/default"
}

wait_node_ready() {
	await_component kubelet 90 node_ready
	await_component kube-controller-manager 60 default_sa_exists
	token_works >/dev/null || die "kube-apiserver refused the static bearer token"
}

probe_namespace_ready() {
	curl_api "/api/v1/namespaces/$1/serviceaccounts/default" >/dev/null &&
		curl_api "/api/v1/namespaces/$1/configmaps/kube-root-ca.crt" >/dev/null
}

probe_pod_considered() {
	json_has "/api/v1/namespaces/$1/pods/probe" '"reason":"Unschedulable"'
}

# wait_control_plane proves that controller-manager and scheduler work again
# after kube-apiserver restarted. Their informers may have been refused
# (RBAC not yet synced in the new apiserver) and back off for tens of
# seconds; tests should start only once a namespace gets its ServiceAccount
# and CA bundle and the scheduler considers new pods.
wait_control_plane() {
	local ns="podlab-restart-probe-$RANDOM"
	curl_api /api/v1/namespaces -X POST -H 'Content-Type: application/json' \
		-d '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"'"$ns"'"}}' >/dev/null ||
		die "could not create probe namespace $ns"
	await_component kube-controller-manager 180 probe_namespace_ready "$ns"
	log "controller-manager answered: $ns has its ServiceAccount and CA bundle"
	# Unschedulable on purpose: the scheduler must look at it, no container runs.
	curl_api "/api/v1/namespaces/$ns/pods" -X POST -H 'Content-Type: application/json' \
		-d '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"probe"},"spec":{"nodeSelector":{"podlab.dev/probe":"nowhere"},"automountServiceAccountToken":false,"containers":[{"name":"probe","image":"'"$SANDBOX_IMAGE"'"}]}}' >/dev/null ||
		die "could not create probe pod in $ns"
	await_component kube-scheduler 180 probe_pod_considered "$ns"
	curl_api "/api/v1/namespaces/$ns" -X DELETE >/dev/null || log "warning: could not delete probe namespace $ns"
}
