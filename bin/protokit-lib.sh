# shellcheck shell=sh
# protokit-lib.sh: the helpers every bin/protokit-NAME sources (not a
# protocol itself, so not executable).  A script sets prog, steps, deps
# and synopsis, defines help and an optional extra_option, calls
# pk_setup "$@", then runs its steps.  Every command that changes the
# working directory is shown as `    $ CMD` before it runs, exactly as it
# is run, so the lines replay in a fresh shell (tests/replay.bats).
# prog, steps and deps are the script's (SC2154); trace and trace_json
# are for it (SC2034).
# shellcheck disable=SC2154,SC2034

# pk_bin: where the protokit tools are: the script's directory, or its
# parent for an attack (bin/attacks/NAME).
pk_bin=$(cd "$(dirname "$0")" && pwd)
case "$pk_bin" in */attacks) pk_bin=${pk_bin%/attacks} ;; esac

# --explain's explain, trace_bytes and explain_bytes.
# shellcheck source=bin/protokit-explain.sh
. "$pk_bin/protokit-explain.sh"
# --pcap FILE's capture (pcap_file, pcap_start, pcap_port, pcap_stop)
# shellcheck source=bin/protokit-pcap.sh
. "$pk_bin/protokit-pcap.sh"

# usage_error MSG: the problem and where to read more (GNU's convention).
usage_error() {
	echo "$prog: $1" >&2
	echo "Try '${pk_try:-$prog} --help'" >&2
	exit 2
}

die() {
	echo "$prog: $*" >&2
	exit 2
}

# step TITLE: the numbered heading of the next step; with --step on a
# terminal, waits for Enter first.
step() {
	n=$((n + 1))
	if [ "$stepping" = 1 ] && [ -t 0 ]; then
		printf '\n(press Enter for step %d/%d: %s) ' "$n" "$steps" "$1"
		read -r _ || true
	fi
	printf '\n==> %d/%d %s\n' "$n" "$steps" "$1"
}

# run CMD: shows CMD, runs it in this shell (so cd, exec and assignments
# last), shows its output indented; a failure ends the script with its
# status.  stderr is left alone.
run() {
	printf '    $ %s\n' "$1"
	pk_rc=0
	eval "$1" >"$work/.out" || pk_rc=$?
	sed 's/^/    /' "$work/.out"
	[ "$pk_rc" = 0 ] || exit "$pk_rc"
}

# bg NAME CMD: shows and starts CMD in the background, its PID in
# NAME_pid (killed by cleanup unless the script waits for it and clears
# the variable).
bg() {
	bg_names="$bg_names $1"
	run "$2 & $1_pid=\$!"
}

# relay_up SERVICE CMD: starts CMD, a pk-relay that writes its
# `listening SERVICE host:port` lines to relay.out, as job relay; waits
# for SERVICE's line and sets addr to its address.
relay_up() {
	bg relay "$2"
	wait_until "grep -qs '^listening $1 ' relay.out"
	run "addr=\$(sed -n 's/^listening $1 //p' relay.out); echo \"relay pid \$relay_pid, listening on \$addr\""
}

# waited NAME...: the script has waited for these jobs itself; cleanup
# leaves them alone.
waited() {
	for pk_name in "$@"; do
		eval "${pk_name}_pid="
	done
}

# stop_bg NAME: shows and runs the TERM and the wait that end job NAME.
stop_bg() {
	run "kill -TERM \$${1}_pid; wait \$${1}_pid"
	waited "$1"
}

# wait_until COND: shows the loop a person would type, then polls COND
# (up to 20 s) every 0.1 s.
wait_until() {
	printf '    $ until %s; do sleep 0.1; done\n' "$1"
	pk_i=0
	until eval "$1"; do
		pk_i=$((pk_i + 1))
		[ "$pk_i" -le 200 ] || die "waited 20 s in vain for: $1"
		sleep 0.1
	done
}

# note TEXT: an indented remark between the commands.
note() {
	printf '    %s\n' "$*"
}

cleanup() {
	pk_rc=$?
	trap - EXIT HUP INT TERM
	for pk_name in $bg_names; do
		eval "pk_pid=\${${pk_name}_pid:-}"
		[ -n "$pk_pid" ] || continue
		kill -TERM "$pk_pid" 2>/dev/null || true
		wait "$pk_pid" 2>/dev/null || true
	done
	[ -z "$pcap_pid" ] || pcap_stop
	[ "$pk_rc" != 0 ] || [ -z "$chart" ] || (pk_chart) || pk_rc=$?
	if [ -z "$work" ]; then
		:
	elif [ "$keep" = 1 ]; then
		echo "$prog: kept $work" >&2
		[ -z "$explain" ] || echo "$prog: the explain\$ lines run" \
		    "there again (all in $work/explain.list)" >&2
	else
		rm -rf "$work"
	fi
	exit "$pk_rc"
}

check_deps() {
	for pk_c in $deps; do
		command -v "$pk_c" >/dev/null 2>&1 ||
		    die "$pk_c not found: run make first"
	done
}

# pk_trace_json: --trace-json's FILE made absolute (the script works in
# its own directory), created if need be so that a file that cannot be
# written fails now rather than after half the steps; a quote in it is
# refused (the printed commands quote it with '').
pk_trace_json() {
	[ -n "$trace_json" ] || usage_error "--trace-json: missing file"
	case "$trace_json" in
	*\'*) usage_error "--trace-json: a quote in '$trace_json'" ;;
	/*) ;;
	*) trace_json="$PWD/$trace_json" ;;
	esac
	{ true >>"$trace_json"; } 2>/dev/null || die "$trace_json: cannot write"
}

# pk_as NAME: with a JSON trace, pk-xfer's option naming its party NAME
# there (a participant of the chart), and a space; else nothing.
pk_as() {
	[ -z "$trace_json" ] || printf -- '--trace-as %s ' "$1"
}

# pk_hardened [SERVICE]: with --hardened, the option that puts pk-xfer
# (or, given SERVICE, pk-relay's SERVICE) on the hardened profile, and a
# space; else nothing.
pk_hardened() {
	[ "$hardened" = 1 ] || return 0
	printf -- '--hardened %s' "${1:+$1 }"
}

# pk_chart_file: --chart's FILE made absolute, an .svg or .png (mscgen
# draws either) that can be written, checked before the first step.
pk_chart_file() {
	case "$chart" in
	'') usage_error "--chart: missing file" ;;
	*\'*) usage_error "--chart: a quote in '$chart'" ;;
	*.svg | *.png) ;;
	*) usage_error "--chart: $chart: not .svg or .png" ;;
	esac
	case "$chart" in /*) ;; *) chart="$PWD/$chart" ;; esac
	if [ -e "$chart" ]; then
		{ [ -f "$chart" ] && [ -w "$chart" ]; } ||
		    die "$chart: cannot write"
	else
		{ true >"$chart" && rm -f "$chart"; } 2>/dev/null ||
		    die "$chart: cannot write"
	fi
}

# pk_chart: the run's sequence chart (protokit chart), drawn from its
# JSON trace into --chart's FILE and printed as text.
pk_chart() {
	printf '\n==> the sequence chart of this run, from %s\n' "$trace_json"
	run "protokit chart -o '$chart' '$trace_json' && echo \"wrote $chart\""
	run "protokit chart '$trace_json'"
}

# pk_setup ARGS: the common options (the script's extra_option, if any,
# takes the others), the tools on PATH, a working directory to cd into.
# --trace-json FILE (or --trace-json=FILE) sets trace_json, an absolute
# path, for the script to pass on as --trace-json '$trace_json'.
# --explain sets explain and keep, and trace_json (run.json in the
# working directory) if --trace-json did not; not with --hardened.  --hardened sets hardened
# (the script passes it on with pk_hardened), refused unless the script
# set has_hardened=1 (its protocol has a hardened profile).
# --pcap FILE (or --pcap=FILE) records the run (protokit-pcap.sh).
pk_setup() {
	keep=0 stepping=0 trace=0 trace_json='' work='' n=0 bg_names=''
	hardened=0
	explain=''
	pk_json=0 chart='' pk_chart=0 pk_pcap=0
	while [ $# -gt 0 ]; do
		case "$1" in
		-h | --help) help ;;
		--explain) explain=1 keep=1 ;;
		--hardened)
			[ "${has_hardened:-0}" = 1 ] ||
			    die "--hardened: ${prog#protokit-} has no hardened profile yet"
			hardened=1
			;;
		--keep) keep=1 ;;
		--step) stepping=1 ;;
		--trace) trace=1 ;;
		--trace-json)
			[ $# -ge 2 ] || usage_error "--trace-json: missing file"
			shift
			trace_json=$1 pk_json=1
			;;
		--trace-json=*)
			trace_json=${1#--trace-json=} pk_json=1
			;;
		--chart)
			[ $# -ge 2 ] || usage_error "--chart: missing file"
			shift
			chart=$1 pk_chart=1
			;;
		--chart=*) chart=${1#--chart=} pk_chart=1 ;;
		--pcap)
			[ $# -ge 2 ] || usage_error "--pcap: missing file"
			shift
			pcap=$1 pk_pcap=1
			;;
		--pcap=*) pcap=${1#--pcap=} pk_pcap=1 ;;
		-*)
			if ! command -v extra_option >/dev/null 2>&1 ||
			    ! extra_option "$1"; then
				usage_error "unknown option '$1'"
			fi
			;;
		*) usage_error "unexpected argument '$1'" ;;
		esac
		shift
	done
	# The hardened profiles' AES-GCM and signatures have no openssl enc
	# command to set beside them: refused before anything is made.
	[ "$hardened" = 0 ] || [ -z "$explain" ] ||
	    usage_error "cannot use --explain with --hardened"
	[ "$pk_json" = 0 ] || pk_trace_json
	[ "$pk_chart" = 0 ] || pk_chart_file
	[ "$pk_pcap" = 0 ] || pcap_file
	PATH="$pk_bin:$PATH"
	check_deps
	for pk_c in ${chart:+jq mscgen}; do
		command -v "$pk_c" >/dev/null 2>&1 ||
		    die "--chart needs $pk_c (Debian: apt-get install $pk_c)"
	done
	work=$(mktemp -d "${TMPDIR:-/tmp}/$prog.XXXXXX")
	trap cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	cd "$work" || die "cannot enter $work"
	[ -n "$trace_json" ] || { [ "$chart$explain" = "" ] || trace_json=$work/run.json; }
	[ -z "$explain" ] || explain_start
	echo "$prog: working in $work (every command below runs there)"
	[ -z "$pcap" ] || pcap_start
}
