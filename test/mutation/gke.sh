#!/usr/bin/env bash
# usage: test/mutation/gke.sh [-l | -c] [MUTATION...]
#
# Mutation tests of the GKE provider's handling of GKE's quirks (issue 17):
# each mutation removes one piece of handling with a minimal source change,
# in a throwaway copy of the repository (never this checkout), and runs the
# tests that claim to need it. A mutation is "killed" when every such test
# FAILS with the message named beside it, and "SURVIVED" when one passes: a
# test that passes without the handling it is about proves nothing. Before
# any mutation, each test must pass on the unmutated copy.
#
# -l lists the mutations; -c only checks that each anchor is in the source. MUTATION_LOGS=DIR keeps each test's output there. Names select some of them (all by default).
# Prints a Markdown table (mutation, test, result, failing message,
# seconds) and exits non-zero if a mutation survives, or if a test cannot
# judge (fails unmutated, is skipped, fails for another reason, or the
# mutation's anchor is no longer in the source: update this file).
#
# The end-to-end tests (TestE2E*) run podlab, built from the mutated copy,
# against the fake GKE with the real test cluster behind it: they need the
# cluster up (make cluster-up) and set PODLAB_E2E=1 themselves, so a missing
# cluster fails instead of skipping. One test runs at a time. It takes about
# 11 minutes; not part of make test.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
pkg=./providers/gke/

# Each mutation: NAME, FILE, OLD (exact text, found exactly once), NEW, and
# the tests that must kill it as TEST=expected failure text;... The text is
# matched in `go test -v` output with whitespace collapsed, so it shows the
# test failed for the reason it is about.
declare -a NAMES=() FILES=() OLDS=() NEWS=() KILLERS=() WHATS=()
mutation() {
	NAMES+=("$1") FILES+=("$2") OLDS+=("$3") NEWS+=("$4") KILLERS+=("$5") WHATS+=("$6")
}

# GKE upgrades the control plane after a create: the first connection must
# be retried while the API server does not answer.
mutation no-reach-retry providers/gke/resting.go \
	$'\t\tif wctx.Err() != nil {\n\t\t\treturn fmt.Errorf("GKE cluster %s: its API server at %s did not answer' \
	$'\t\tif true { // mutation: give up at the first refused connection\n\t\t\treturn fmt.Errorf("GKE cluster %s: its API server at %s did not answer' \
	'TestE2EApplyDuringControlPlaneUpgrade=did not answer within;TestEnsureThroughControlPlaneUpgrade=did not answer within' \
	'first-connection retry through a control-plane upgrade'

# Updates wait for a resting cluster instead of being refused.
mutation no-resting-wait-update providers/gke/gke.go \
	$'\tif !resting(cl.GetStatus()) {\n\t\tif cl, err := s.awaitResting(ctx)' \
	$'\tif false { // mutation: change the cluster while an operation holds it\n\t\tif cl, err := s.awaitResting(ctx)' \
	'TestUpdateWaitsForGKEsOperation=was sent while the repair ran' \
	'resting-state wait before an update'

mutation no-resting-wait-delete providers/gke/gke.go \
	$'\tcl, err := s.awaitResting(ctx)\n\tif err != nil {\n\t\treturn err\n\t}' \
	$'\tcl, err := s.get(ctx) // mutation: delete while an operation holds the cluster\n\tif err != nil {\n\t\treturn err\n\t}' \
	'TestDestroyWaitsForGKEsOperation=DeleteCluster was sent while the repair ran' \
	'resting-state wait before a delete'

# FAILED_PRECONDITION "... is currently upgrading cluster ..." is retried.
mutation no-busy-retry providers/gke/resting.go \
	$'\t\top, err := call()\n\t\tif !busy(err) {' \
	$'\t\top, err := call()\n\t\tif true { // mutation: no retry of operation-in-progress refusals' \
	'TestBusyRefusalsAreRetried=ensure with two busy refusals' \
	'operation-in-progress retry'

# Quota is a 403 too: podlab tells it from a missing permission.
mutation quota-as-permission providers/gke/errors.go \
	'if q := quotaOf(e.Message); q.ok {' \
	'if q := quotaOf(e.Message); false && q.ok { // mutation: every 403 is a permission' \
	'TestE2EOverQuotaCreate=a quota refusal is explained as a missing role;TestExplainQuotaOrPermission=error lacks "over quota"' \
	'quota told from permission'

mutation no-quota-estimate providers/gke/cost.go \
	'Quota: quotaEstimate(g)}' \
	'Quota: ""} // mutation: no quota estimate' \
	'TestE2EOverQuotaCreate=plan lacks "6 node(s) (quota in asia-northeast3' \
	'quota estimate in the plan'

# Surge nodes move current_node_count: podlab must not read it.
mutation surge-counts-as-size providers/gke/plan.go \
	$'\t\t\tn = int(np.GetInitialNodeCount())\n\t\t}\n\t\tcounts[np.GetName()] = n' \
	$'\t\t\tn = int(np.GetInitialNodeCount())\n\t\t}\n\t\tif len(cl.GetNodePools()) == 1 && len(np.GetLocations()) > 0 { // mutation: size from current_node_count\n\t\t\tn = int(cl.GetCurrentNodeCount()) / len(np.GetLocations())\n\t\t}\n\t\tcounts[np.GetName()] = n' \
	'TestE2EResizeWithSurgeNodes=-detailed-exitcode: exit 2, want 0;TestComputeDrift=resize = "a:5→2", want ""' \
	'node counts that do not move with surge nodes'

# Autopilot: GKE's own node pools are not drift; a zone is refused at plan.
mutation autopilot-pools-drift providers/gke/plan.go \
	$'enable_autopilot): they are not drift.\n\t\treturn d' \
	$'enable_autopilot): they are not drift.\n\t\t_ = d // mutation: judge GKE\'s pools as the block\'s' \
	'TestE2EAutopilotClass=not in the gke block;TestAutopilotCluster=not in the gke block' \
	'Autopilot: GKE-managed pools are no drift'

# The zone is refused twice: by the block's check (a diagnostic at the
# location line, what podlab plan shows) and by the provider's validate
# (for callers that skip it).
mutation autopilot-zone-allowed-config providers/gke/config.go \
	'if g.Autopilot && g.Create && strings.Count(g.Location, "-") == 2 {' \
	'if false && g.Autopilot && g.Create && strings.Count(g.Location, "-") == 2 { // mutation' \
	'TestE2EAutopilotClass=lacks "Autopilot needs a region"' \
	'Autopilot: a zonal location refused at plan (config)'

mutation autopilot-zone-allowed-provider providers/gke/request.go \
	'if cfg.Autopilot && cfg.Create && zoneRE.MatchString(cfg.Location) {' \
	'if false && cfg.Autopilot && cfg.Create && zoneRE.MatchString(cfg.Location) { // mutation' \
	'TestAutopilotCluster=plan of a zonal Autopilot cluster' \
	'Autopilot: a zonal location refused at plan (provider)'

mutation no-userinfo-email providers/gke/gke.go \
	'CloudPlatformScope, UserinfoEmailScope)' \
	'CloudPlatformScope) // mutation: cloud-platform only' \
	'TestTokenScopes=lacks https://www.googleapis.com/auth/userinfo.email' \
	'userinfo.email scope'

mutation status-message-ignored providers/gke/client.go \
	$'\treturn op.GetError() == nil && statusMessage(op) != ""' \
	$'\treturn false // mutation: error.code only' \
	"TestQuietOperationFailure=want the operation's failure" \
	'failures reported in status_message'

# endpoint = "dns": the DNS name, verified with the system's roots.
mutation dns-endpoint-ignored providers/gke/resting.go \
	'case "dns":' \
	'case "dns (mutation: ignored, the public endpoint is used)":' \
	'TestE2EDNSEndpoint=never reached the DNS endpoint' \
	'endpoint = "dns" connects to the DNS name'

mutation dns-verified-by-cluster-ca providers/gke/resting.go \
	'return host, false, nil' \
	'return host, true, nil // mutation: trust the cluster CA only' \
	'TestE2EDNSEndpoint=certificate signed by unknown authority' \
	'endpoint = "dns" verified with the system roots'

# A certificate that does not verify fails the first connection at once.
mutation untrusted-cert-waited-out providers/gke/resting.go \
	'if untrusted(err) {' \
	'if false && untrusted(err) { // mutation: wait as for an outage' \
	'TestUntrustedCertificateFailsFast=ensure against an API server the cluster CA does not sign' \
	'a certificate that does not verify is not waited out'

if [[ ${1:-} == -l ]]; then
	for i in "${!NAMES[@]}"; do printf '%-32s %s\n' "${NAMES[$i]}" "${WHATS[$i]}"; done
	exit 0
fi

if [[ ${1:-} == -c ]]; then
	bad=0
	for i in "${!NAMES[@]}"; do
		n=$(OLD=${OLDS[$i]} perl -0777 -ne '$o = $ENV{OLD}; $c = () = /\Q$o\E/g; print $c' "$root/${FILES[$i]}")
		[[ $n == 1 ]] || { echo "${NAMES[$i]}: the anchor occurs $n times in ${FILES[$i]} (want 1)"; bad=1; }
	done
	exit $bad
fi

selected=()
if (($# == 0)); then
	selected=("${!NAMES[@]}")
else
	for want in "$@"; do
		found=
		for i in "${!NAMES[@]}"; do
			[[ ${NAMES[$i]} == "$want" ]] && selected+=("$i") && found=1
		done
		[[ -n $found ]] || { echo "no mutation named $want (-l lists them)" >&2; exit 2; }
	done
fi

work=$(mktemp -d /tmp/podlab-mutation-gke.XXXXXX)
trap 'rm -rf "$work"' EXIT

# copy makes a fresh copy of the checkout as it is on disk (committed or
# not, untracked files too, ignored files not) in $work/$1.
copy() {
	local dst=$work/$1
	mkdir -p "$dst"
	(cd "$root" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' _ |
		tar --null -T - -cf -) | tar -C "$dst" -xf -
	echo "$dst"
}

# apply replaces OLD by NEW in FILE of a copy, refusing unless OLD occurs
# exactly once.
apply() {
	local dir=$1 file=$2 old=$3 new=$4
	OLD=$old NEW=$new perl -0777 -i -pe '
		BEGIN { $o = $ENV{OLD}; $n = $ENV{NEW} }
		$c = () = /\Q$o\E/g;
		die "the mutation anchor occurs $c times (want 1): update test/mutation/gke.sh\n" unless $c == 1;
		s/\Q$o\E/$n/;
	' "$dir/$file"
}

# runtest DIR TEST LOG: runs one test, verbosely; prints PASS, FAIL, SKIP
# or BROKEN (did not build, or did not run).
runtest() {
	local dir=$1 test=$2 log=$3
	(cd "$dir" && PODLAB_E2E=1 go test -count=1 -v -timeout 20m -run "^${test}\$" "$pkg") >"$log" 2>&1
	if grep -q -- "^--- FAIL: ${test} " "$log"; then
		echo FAIL
	elif grep -q -- "^--- PASS: ${test} " "$log"; then
		echo PASS
	elif grep -q -- "^--- SKIP: ${test} " "$log"; then
		echo SKIP
	else
		echo BROKEN
	fi
}

# message prints the failing line that holds TEXT, whitespace collapsed.
message() {
	local log=$1 text=$2
	tr -s ' \t\n' ' ' <"$log" | grep -o -F -- "$text" >/dev/null || return 1
	# The line itself: Go indents a test's messages; keep the first one.
	local line
	line=$(grep -F -m1 -- "$text" "$log" || true)
	[[ -n $line ]] || line=$text
	echo "$line" | sed -e 's/^[[:space:]]*//' -e 's/|/\\|/g' | cut -c1-160
}

status=0
declare -A baseline=()
echo "| mutation | test | result | failing message | seconds |"
echo "|---|---|---|---|---|"

# Every test named must pass unmutated, or it cannot judge a mutation.
base=$(copy base)
for i in "${selected[@]}"; do
	IFS=';' read -ra killers <<<"${KILLERS[$i]}"
	for k in "${killers[@]}"; do
		test=${k%%=*}
		[[ -n ${baseline[$test]:-} ]] && continue
		start=$SECONDS
		res=$(runtest "$base" "$test" "$work/base-$test.log")
		baseline[$test]=$res
		if [[ $res != PASS ]]; then
			echo "| (none) | $test | BASELINE $res: cannot judge | $(grep -m1 -E '_test.go:[0-9]+:' "$work/base-$test.log" | sed 's/^[[:space:]]*//' | cut -c1-160) | $((SECONDS - start)) |"
			status=1
		else
			echo "| (none) | $test | passes unmutated | | $((SECONDS - start)) |"
		fi
	done
done

for i in "${selected[@]}"; do
	name=${NAMES[$i]}
	dir=$(copy "$name")
	if ! err=$(apply "$dir" "${FILES[$i]}" "${OLDS[$i]}" "${NEWS[$i]}" 2>&1); then
		echo "| $name | | ERROR: $err | | |"
		status=1
		rm -rf "$dir"
		continue
	fi
	IFS=';' read -ra killers <<<"${KILLERS[$i]}"
	for k in "${killers[@]}"; do
		test=${k%%=*} want=${k#*=}
		[[ ${baseline[$test]} == PASS ]] || continue
		start=$SECONDS
		log=$work/$name-$test.log
		res=$(runtest "$dir" "$test" "$log")
		secs=$((SECONDS - start))
		case $res in
		FAIL)
			if msg=$(message "$log" "$want"); then
				echo "| $name | $test | killed | $msg | $secs |"
			else
				echo "| $name | $test | FAILED OTHERWISE (want \"$want\") | $(grep -m1 -E '_test.go:[0-9]+:' "$log" | sed 's/^[[:space:]]*//' | cut -c1-160) | $secs |"
				status=1
			fi
			;;
		PASS)
			echo "| $name | $test | SURVIVED | | $secs |"
			status=1
			;;
		*)
			echo "| $name | $test | $res: cannot judge | $(grep -m1 -E 'cannot|error|FAIL' "$log" | cut -c1-160) | $secs |"
			status=1
			;;
		esac
		if [[ -n ${MUTATION_LOGS:-} ]]; then mkdir -p "$MUTATION_LOGS" && cp "$log" "$MUTATION_LOGS/"; fi
	done
	rm -rf "$dir"
done
echo
echo "total: ${SECONDS}s"
exit $status
