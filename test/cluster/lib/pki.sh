# shellcheck shell=bash
# Certificates, keys, the static token and the kubeconfigs, made with openssl.
# Every run of `up` on a clean runtime dir makes a fresh set: nothing here is
# meant to outlive the cluster.

ADMIN_USER="podlab-admin"
TOKEN_USER="podlab-token-admin"

new_key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
	chmod 600 "$1"
}

new_ca() {
	new_key "$PKI_DIR/ca.key"
	openssl req -x509 -new -key "$PKI_DIR/ca.key" -sha256 -days 3650 \
		-subj "/CN=podlab-testcluster-ca" -out "$PKI_DIR/ca.crt" \
		-config <(printf '[req]\ndistinguished_name=dn\nx509_extensions=v3\n[dn]\n[v3]\n%s\n%s\n%s\n' \
			'basicConstraints=critical,CA:TRUE' \
			'keyUsage=critical,keyCertSign,cRLSign,digitalSignature' \
			'subjectKeyIdentifier=hash')
}

# new_cert NAME SUBJECT USAGE [SAN] signs NAME.crt/NAME.key with the CA;
# USAGE is clientAuth, serverAuth or both.
new_cert() {
	local name=$1 subject=$2 usage=$3 san=${4:-}
	new_key "$PKI_DIR/$name.key"
	openssl req -new -key "$PKI_DIR/$name.key" -subj "$subject" -out "$PKI_DIR/$name.csr" \
		-config <(printf '[req]\ndistinguished_name=dn\n[dn]\n')
	openssl x509 -req -in "$PKI_DIR/$name.csr" -CA "$PKI_DIR/ca.crt" -CAkey "$PKI_DIR/ca.key" \
		-set_serial "0x$(openssl rand -hex 16)" -sha256 -days 3650 -out "$PKI_DIR/$name.crt" \
		-extensions v3 -extfile <(
			printf '[v3]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n'
			printf 'extendedKeyUsage=%s\nauthorityKeyIdentifier=keyid\n' "$usage"
			[[ -z $san ]] || printf 'subjectAltName=%s\n' "$san"
		) 2>/dev/null
	rm -f "$PKI_DIR/$name.csr"
}

make_pki() {
	if [[ -f $PKI_DIR/done ]]; then
		return 0
	fi
	rm -rf "$PKI_DIR"
	mkdir -p "$PKI_DIR"
	chmod 700 "$PKI_DIR"
	new_ca
	new_cert apiserver "/CN=kube-apiserver" serverAuth \
		"IP:127.0.0.1,IP:$NODE_IP,IP:$SERVICE_IP,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
	# exec, logs and port-forward go through the kubelet, which authorises
	# the apiserver by this certificate.
	new_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
	new_cert admin "/O=system:masters/CN=$ADMIN_USER" clientAuth
	new_cert kube-controller-manager "/CN=system:kube-controller-manager" clientAuth
	new_cert kube-scheduler "/CN=system:kube-scheduler" clientAuth
	new_cert kubelet-client "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
	new_cert kubelet "/CN=$NODE_NAME" serverAuth "IP:$NODE_IP,DNS:$NODE_NAME"
	new_key "$PKI_DIR/sa.key"
	openssl pkey -in "$PKI_DIR/sa.key" -pubout -out "$PKI_DIR/sa.pub" 2>/dev/null

	# A static bearer token in system:masters: later tests hand it out the
	# way a managed cloud cluster hands out OAuth tokens.
	(umask 077 && openssl rand -hex 32 >"$TOKEN_FILE")
	(umask 077 && printf '%s,%s,%s,"system:masters"\n' "$(cat "$TOKEN_FILE")" "$TOKEN_USER" "$TOKEN_USER" >"$PKI_DIR/tokens.csv")
	touch "$PKI_DIR/done"
}

b64() { base64 -w0 <"$1"; }

# write_kubeconfig FILE SERVER USER CERT_NAME|"" [TOKEN_FILE]
write_kubeconfig() {
	local file=$1 server=$2 user=$3 cert=$4 token_file=${5:-}
	{
		cat <<EOF
apiVersion: v1
kind: Config
clusters:
- name: podlab-test
  cluster:
    server: $server
    certificate-authority-data: $(b64 "$PKI_DIR/ca.crt")
users:
- name: $user
  user:
EOF
		if [[ -n $cert ]]; then
			printf '    client-certificate-data: %s\n    client-key-data: %s\n' \
				"$(b64 "$PKI_DIR/$cert.crt")" "$(b64 "$PKI_DIR/$cert.key")"
		else
			printf '    token: %s\n' "$(cat "$token_file")"
		fi
		cat <<EOF
contexts:
- name: podlab-test
  context:
    cluster: podlab-test
    user: $user
current-context: podlab-test
EOF
	} >"$file.tmp"
	chmod 600 "$file.tmp"
	mv "$file.tmp" "$file"
}

make_kubeconfigs() {
	mkdir -p "$KUBECONFIG_DIR"
	write_kubeconfig "$ADMIN_KUBECONFIG" "$APISERVER_URL" "$ADMIN_USER" admin
	write_kubeconfig "$TOKEN_KUBECONFIG" "$APISERVER_URL" "$TOKEN_USER" "" "$TOKEN_FILE"
	write_kubeconfig "$KUBECONFIG_DIR/kube-controller-manager.kubeconfig" "$APIPROXY_URL" \
		system:kube-controller-manager kube-controller-manager
	write_kubeconfig "$KUBECONFIG_DIR/kube-scheduler.kubeconfig" "$APIPROXY_URL" system:kube-scheduler kube-scheduler
	write_kubeconfig "$KUBECONFIG_DIR/kubelet.kubeconfig" "$APIPROXY_URL" "system:node:$NODE_NAME" kubelet-client
}
