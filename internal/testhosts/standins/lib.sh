# Shared by every podlab test stand-in; sourced, never run.
# The harness writes $S/facts (this host's name, address, cluster answers) and
# reads $S/commands.log; $S/fail/* are failures injected for the next call.
S=/run/podlab-testhost
. "$S/facts"
C="$S/cluster" # shared by every host of the test environment

# plh_quote prints its arguments as one shell-quoted line: bare when a word
# is plain, else in single quotes with ' written as '\''. The harness parses
# exactly this form back into argv.
plh_quote() {
	plh_out=
	for plh_a in "$@"; do
		case $plh_a in
		'' | *[!A-Za-z0-9_./:=@%+,-]*)
			plh_a=$(printf '%sx' "$plh_a" | sed "s/'/'\\\\''/g")
			plh_a="'${plh_a%x}'"
			;;
		esac
		plh_out="$plh_out${plh_out:+ }$plh_a"
	done
	printf '%s\n' "$plh_out"
}

# plh_start records the call, then fails it if a failure was injected for a
# command line starting with the injected words (the oldest match wins and is
# used up).
plh_start() {
	plh_line=$(plh_quote "$@")
	printf '%s\n' "$plh_line" >>"$S/commands.log"
	for plh_f in "$S"/fail/*; do
		[ -f "$plh_f" ] || continue
		case ${plh_f##*/} in *.*) continue ;; esac # .tmp: being written; .used: spent
		plh_prefix=$(sed -n 2p "$plh_f")
		case $plh_line in
		"$plh_prefix" | "$plh_prefix "*) ;;
		*) continue ;;
		esac
		mv "$plh_f" "$plh_f.used" 2>/dev/null || continue
		sed -n '3,$p' "$plh_f.used" >&2
		exit "$(sed -n 1p "$plh_f.used")"
	done
}

# plh_need_root fails as the real tools do when not run as root.
plh_need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "$1" >&2
		exit 1
	fi
}

# plh_has_arg tells whether the word is among the remaining arguments.
plh_has_arg() {
	plh_want=$1
	shift
	for plh_a in "$@"; do
		[ "$plh_a" = "$plh_want" ] && return 0
	done
	return 1
}

# plh_arg prints the value of --name VALUE or --name=VALUE.
plh_arg() {
	plh_name=$1
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		"$plh_name") printf '%s\n' "${2-}"; return 0 ;;
		"$plh_name"=*) printf '%s\n' "${1#*=}"; return 0 ;;
		esac
		shift
	done
	return 1
}
