#!/bin/bash
# A hostile class (issue 12): HOSTILE_N students' echo clients (one 64-byte
# round trip every 50 ms each, bench/hostile.c) against one pk-relay
# serving echo, chat, ca and e2e-upload, first alone, then while hostile
# clients (from 127.0.0.2) run each attack of the issue in turn:
#   chat   HOSTILE_CHAT chat members who never read, and one sender (1)
#   guess  HOSTILE_GUESS clients, each HOSTILE_BATCH wrong ca passwords in
#          one write, again and again (2)
#   csr    HOSTILE_CSR signed-in clients, 2 requests in flight each, with
#          a 16384-bit modulus and exponent (3)
#   drip   HOSTILE_SLOTS clients sending a chat frame one byte every 2 s,
#          with --max-clients HOSTILE_SLOTS (4); HOSTILE_DRIP_SECS long
#   idle   HOSTILE_IDLE idle e2e-upload connections, closed and opened
#          again every 3 s (6)
# Item 5 is the client's and 7 to 9 are not load: they have no row.
# A fresh relay (and state directory) for every row: its peak (VmHWM) and
# final (VmRSS) resident size and its CPU time (user + system, from its
# start, the attack's set-up included) are the row's.  Median, 99th
# percentile and worst round trip count from when a round trip was due,
# across refused connections (retried every 100 ms); one never answered
# counts with its age and is flagged.
#
#   bench/hostile.sh [--before DIR | --before-rev REV] [--after DIR]
#
# DIR holds a built pk-relay (default after: ./bin); --before-rev builds
# REV's pk-relay in a temporary git worktree.  Both builds run in the same
# run, row by row, and the last column is the ratio of their worst round
# trips.  Without a before build only the after columns are printed.
# bench/run.sh sources this file (HOSTILE_BEFORE or HOSTILE_BEFORE_REV set
# the before build there) and gets one row per attack in its format.
# Knobs: HOSTILE_N (20), HOSTILE_SECS (6) per row, HOSTILE_DRAIN (15) to
# wait for late replies, HOSTILE_CHAT (100), HOSTILE_GUESS (2),
# HOSTILE_BATCH (100), HOSTILE_CSR (2), HOSTILE_SLOTS (50),
# HOSTILE_DRIP_SECS (40: longer than the relay's default
# --message-timeout, 30 s), HOSTILE_IDLE (2000), HOSTILE_ONLY (attack
# names, e.g. "none chat"), HOSTILE_BIG=1 for the issue's scale (50
# students, 300 members, 10 x 200 guesses, 10 x 4 requests, 5000 idle,
# 30 s a row).  If the relay's --help lists --max-per-ip, the row's
# --max-clients is passed as --max-per-ip (HOSTILE_PER_IP to choose),
# since every normal client comes from 127.0.0.1.  Every wait is bounded
# and everything started is stopped by pid, also on error or interrupt.
# HOSTILE_KEEP=1 keeps bench/work/hostile: every row's relay log.

hs_standalone=0
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	hs_standalone=1
	set -eu
	cd "$(dirname "$0")/.."
	PATH="$PWD/bin:$PATH"
	BENCH_WORK="${BENCH_WORK:-$PWD/bench/work}"
	HOSTILE_BEFORE=${HOSTILE_BEFORE:-}
	HOSTILE_BEFORE_REV=${HOSTILE_BEFORE_REV:-}
	HOSTILE_AFTER=${HOSTILE_AFTER:-}
	hs_usage="usage: bench/hostile.sh [--before DIR | --before-rev REV]"
	hs_usage="$hs_usage [--after DIR]"
	while [ $# -gt 0 ]; do
		case "$1" in
		-h | --help)
			echo "$hs_usage"
			echo "(knobs: the comment at the top of bench/hostile.sh)"
			exit 0
			;;
		--before | --before-rev | --after)
			[ $# -ge 2 ] || { echo "$hs_usage" >&2; exit 2; }
			case "$1" in
			--before) HOSTILE_BEFORE=$2 ;;
			--before-rev) HOSTILE_BEFORE_REV=$2 ;;
			--after) HOSTILE_AFTER=$2 ;;
			esac
			shift 2
			;;
		*)
			echo "$hs_usage" >&2
			exit 2
			;;
		esac
	done
fi

if [ "${HOSTILE_BIG:-0}" = 1 ]; then
	hs_n=${HOSTILE_N:-50} hs_secs=${HOSTILE_SECS:-30}
	hs_chat=${HOSTILE_CHAT:-300} hs_guess=${HOSTILE_GUESS:-10}
	hs_batch=${HOSTILE_BATCH:-200} hs_csr=${HOSTILE_CSR:-10}
	hs_inflight=4 hs_idle=${HOSTILE_IDLE:-5000}
	hs_drip_secs=${HOSTILE_DRIP_SECS:-60}
else
	hs_n=${HOSTILE_N:-20} hs_secs=${HOSTILE_SECS:-6}
	hs_chat=${HOSTILE_CHAT:-100} hs_guess=${HOSTILE_GUESS:-2}
	hs_batch=${HOSTILE_BATCH:-100} hs_csr=${HOSTILE_CSR:-2}
	hs_inflight=2 hs_idle=${HOSTILE_IDLE:-2000}
	hs_drip_secs=${HOSTILE_DRIP_SECS:-40}
fi
hs_slots=${HOSTILE_SLOTS:-50}
hs_drain=${HOSTILE_DRAIN:-15}
hs_only=${HOSTILE_ONLY:-none chat guess csr drip idle}
hs_dir="$BENCH_WORK/hostile"
hs_relay='' hs_attack_pid='' hs_normal_pid='' hs_tree=''
hs_after_bin=$(cd "${HOSTILE_AFTER:-bin}" && pwd)
hs_before_bin=
[ -z "${HOSTILE_BEFORE:-}" ] || hs_before_bin=$(cd "$HOSTILE_BEFORE" && pwd)

# hs_stop PID: SIGTERM, up to 15 s (a relay may be inside a long
# callback), then SIGKILL; waits for it.
hs_stop() {
	local i
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2> /dev/null || true
	for ((i = 0; i < 150; i++)); do
		kill -0 "$1" 2> /dev/null || break
		sleep 0.1
	done
	kill -KILL "$1" 2> /dev/null || true
	wait "$1" 2> /dev/null || true
}

hs_cleanup() {
	hs_stop "$hs_normal_pid"
	hs_stop "$hs_attack_pid"
	hs_stop "$hs_relay"
	hs_normal_pid='' hs_attack_pid='' hs_relay=''
	if [ -n "$hs_tree" ]; then
		git worktree remove --force "$hs_tree" 2> /dev/null ||
		    rm -rf "$hs_tree"
		hs_tree=
	fi
}
trap 'hs_cleanup' EXIT
trap 'hs_cleanup; exit 2' INT TERM

hs_die() {
	echo "bench: hostile: $*" >&2
	exit 2
}

# hs_build_rev REV: REV's pk-relay, built in a temporary worktree.
hs_build_rev() {
	hs_tree=$(mktemp -d /tmp/pk-hostile-before.XXXXXX)
	rmdir "$hs_tree"
	git worktree add --detach "$hs_tree" "$1" > /dev/null 2>&1 ||
	    hs_die "cannot check out $1"
	echo "bench: hostile: building $1's pk-relay in $hs_tree" >&2
	timeout 900 nice make -C "$hs_tree" -j2 bin/pk-relay > /dev/null ||
	    hs_die "cannot build $1's pk-relay"
	hs_before_bin="$hs_tree/bin"
}

# hs_keys: the services' keys in $hs_dir/keys, copied into every state.
hs_keys() {
	local k="$hs_dir/keys"
	mkdir -m 700 "$k"
	pk-keygen rsa -b 2048 --no-pass -o "$k/chat" > /dev/null
	pk-keygen rsa -b 2048 --no-pass -o "$hs_dir/member" > /dev/null
	openssl rand -hex 16 > "$k/ca.pass"
	pk-keygen rsa --legacy --pass-file "$k/ca.pass" -o "$k/ca" > /dev/null
	pk-keygen selfsign -k "$k/ca.key" --pass-file "$k/ca.pass" \
	    -subj /CN=hostile-ca -o "$k/ca.crt" > /dev/null
	openssl rand -hex 16 > "$k/e2e.pass"
	openssl rand -hex 16 > "$hs_dir/client.pass"
	pk-keygen rsa --legacy --pass-file "$k/e2e.pass" -o "$k/e2e" > /dev/null
	pk-keygen rsa --legacy --pass-file "$hs_dir/client.pass" \
	    -o "$hs_dir/client" > /dev/null
	cp "$hs_dir/client.pub" "$k/e2e-client.pub"
	printf 'victim-pw\n' > "$hs_dir/victim.pass"
	printf 'mallory-pw\n' > "$hs_dir/mallory.pass"
	"$hs_dir/hostile" mkcsr 16384 mallory "$hs_dir/huge.csr"
}

# hs_start BIN MAXCLIENTS: a fresh relay from BIN; sets hs_relay and
# hs_port[SERVICE].
hs_start() {
	local opt=() i svc addr
	if "$1/pk-relay" --help 2>&1 | grep -q -- --max-per-ip; then
		opt=(--max-per-ip "${HOSTILE_PER_IP:-$2}")
	fi
	rm -rf "$hs_dir/state"
	cp -a "$hs_dir/keys" "$hs_dir/state"
	"$1/pk-relay" -d "$hs_dir/state" --max-clients "$2" "${opt[@]}" \
	    echo@127.0.0.1:0 chat@127.0.0.1:0 ca@127.0.0.1:0 \
	    e2e-upload@127.0.0.1:0 > "$hs_dir/relay.out" \
	    2> "$hs_dir/relay.log" < /dev/null &
	hs_relay=$!
	# Up to 30 s: the new database's fsyncs wait behind any other disk
	# load.
	for ((i = 0; i < 300; i++)); do
		[ "$(grep -c '^listening ' "$hs_dir/relay.out")" = 4 ] && break
		kill -0 "$hs_relay" 2> /dev/null || break
		sleep 0.1
	done
	[ "$(grep -c '^listening ' "$hs_dir/relay.out")" = 4 ] || {
		cat "$hs_dir/relay.log" >&2
		kill -0 "$hs_relay" 2> /dev/null &&
		    hs_die "$1/pk-relay did not listen within 30 s"
		hs_die "$1/pk-relay did not start"
	}
	declare -gA hs_port=()
	while read -r _ svc addr; do
		hs_port[$svc]=${addr##*:}
	done < "$hs_dir/relay.out"
}

# hs_register NAME: signs NAME up (password in $hs_dir/NAME.pass).
hs_register() {
	timeout 60 pk-xfer -t 30 ca register -u "$1" \
	    --pass-file "$hs_dir/$1.pass" "127.0.0.1:${hs_port[ca]}" ||
	    hs_die "cannot register $1"
}

# hs_attack NAME: starts the attack and waits (at most 60 s) until it is
# in place; sets hs_attack_pid.
hs_attack() {
	local cmd=() i
	case "$1" in
	none) return 0 ;;
	chat) cmd=(chat 127.0.0.1 "${hs_port[chat]}" "$hs_chat"
	    "$hs_dir/member.pub") ;;
	guess)
		hs_register victim
		cmd=(guess 127.0.0.1 "${hs_port[ca]}" "$hs_guess" victim
		    "$hs_batch")
		;;
	csr)
		hs_register mallory
		cmd=(csr 127.0.0.1 "${hs_port[ca]}" "$hs_csr" mallory
		    "$hs_dir/huge.csr" "$hs_inflight")
		;;
	drip) cmd=(drip 127.0.0.1 "${hs_port[chat]}" "$hs_slots" 2000) ;;
	idle) cmd=(idle 127.0.0.1 "${hs_port[e2e-upload]}" "$hs_idle" 3000) ;;
	esac
	: > "$hs_dir/attack.out"
	HOSTILE_PASS=$(cat "$hs_dir/mallory.pass") \
	    timeout -k 5 $((hs_drain + 600)) "$hs_dir/hostile" "${cmd[@]}" \
	    > "$hs_dir/attack.out" 2> "$hs_dir/attack.err" &
	hs_attack_pid=$!
	for ((i = 0; i < 600; i++)); do
		grep -q '^ready' "$hs_dir/attack.out" && break
		kill -0 "$hs_attack_pid" 2> /dev/null || break
		sleep 0.1
	done
	grep -q '^ready' "$hs_dir/attack.out" || {
		cat "$hs_dir/attack.err" >&2
		hs_die "attack $1 did not start"
	}
	# Idle connections: until the relay holds them (at most 20 s).
	if [ "$1" = idle ]; then
		for ((i = 0; i < 200; i++)); do
			[ "$(find "/proc/$hs_relay/fd" -mindepth 1 | wc -l)" -ge \
			    "$hs_idle" ] && break
			sleep 0.1
		done
	fi
	sleep 1
}

# hs_row NAME BIN LABEL: one row's figures from BIN's relay in hs_res
# ("n median p99 worst unanswered closed hwm_kb rss_kb cpu_s"); the relay's
# log is left in $hs_dir/NAME.LABEL.log, the attack's in NAME.LABEL.out.
hs_row() {
	local secs=$hs_secs max=10000 out st
	[ "$1" != drip ] || { secs=$hs_drip_secs max=$hs_slots; }
	[ "$1" != idle ] || max=$((hs_idle + hs_n + 100))
	hs_start "$2" "$max"
	hs_attack "$1"
	# In the background: wait returns at once when a signal comes.
	timeout -k 5 $((secs + hs_drain + 30)) "$hs_dir/hostile" normal \
	    127.0.0.1 "${hs_port[echo]}" "$hs_n" "$secs" 50 "$hs_drain" \
	    > "$hs_dir/normal.out" &
	hs_normal_pid=$!
	wait "$hs_normal_pid" || hs_die "$1: the normal clients failed"
	hs_normal_pid=''
	out=$(cat "$hs_dir/normal.out")
	st=$(awk '/^VmHWM:/ { h = $2 } /^VmRSS:/ { r = $2 }
	    END { print h + 0, r + 0 }' "/proc/$hs_relay/status" 2> /dev/null ||
	    echo "0 0")
	# CPU seconds: utime and stime, fields 14 and 15 after the ")".
	st="$st $(sed 's/.*) //' "/proc/$hs_relay/stat" 2> /dev/null | awk -v \
	    t="$(getconf CLK_TCK)" '{ printf "%.1f", ($12 + $13) / t }')"
	hs_stop "$hs_attack_pid"
	hs_stop "$hs_relay"
	hs_attack_pid='' hs_relay=''
	mv "$hs_dir/relay.log" "$hs_dir/$1.$3.log"
	[ "$1" = none ] || cat "$hs_dir/attack.out" "$hs_dir/attack.err" \
	    > "$hs_dir/$1.$3.out"
	hs_res="$(echo "$out" | awk '{ print $2, $4, $6, $8, $10, $12 }') $st"
}

# hs_title NAME: what the row's hostile clients do.
hs_title() {
	case "$1" in
	none) echo "no attack" ;;
	chat) echo "$hs_chat chat members who never read + 1 sender (1)" ;;
	guess) echo "$hs_guess x $hs_batch pipelined wrong ca passwords (2)" ;;
	csr) echo "$hs_csr x $hs_inflight CSRs in flight, 16384-bit key (3)" ;;
	drip) echo "$hs_slots slow-drip clients, --max-clients $hs_slots (4)" ;;
	idle) echo "$hs_idle idle e2e-upload connections (6)" ;;
	esac
}

# hs_fmt "FIGURES": "median / p99 / worst ms" and the relay's RSS, with
# what went wrong for the normal clients.
hs_fmt() {
	echo "$1" | awk '
	function t(us) {
		if (us >= 10000000) return sprintf("%.1f s", us / 1e6)
		if (us >= 10000) return sprintf("%.0f ms", us / 1e3)
		return sprintf("%.2f ms", us / 1e3)
	}
	{
		s = ($1 ? t($2) " / " t($3) : "- / -") " / " \
		    ($5 ? ">= " : "") t($4)
		s = s ", " $1 " answered"
		if ($5) s = s ", " $5 " unanswered"
		if ($6) s = s ", " $6 " refused or closed"
		printf "%s | %.0f MiB (%.0f MiB at the end), %.1f s CPU", s,
		    $7 / 1024, $8 / 1024, $9
	}'
}

# hs_ratio BEFORE AFTER: the before build's worst round trip over the
# after build's (at least that when the before build left some
# unanswered; none when the after build did).
hs_ratio() {
	awk -v b="$1" -v a="$2" 'BEGIN { split(b, x); split(a, y)
	    if (y[5] > 0 || y[4] <= 0) print "-"
	    else printf "%s%.1f\n", (x[5] > 0 ? ">= " : ""), x[4] / y[4] }'
}

hs_run() {
	local a before after t b r
	rm -rf "$hs_dir"
	mkdir -p "$hs_dir"
	chmod 700 "$hs_dir"
	cc -O2 -std=c17 -D_GNU_SOURCE -o "$hs_dir/hostile" bench/hostile.c \
	    bench/hostile_normal.c bench/hostile_chat.c bench/hostile_ca.c \
	    bench/hostile_slots.c bench/hostile_csr.c -lnettle -lgmp ||
	    hs_die "cannot build bench/hostile*.c"
	[ -z "${HOSTILE_BEFORE_REV:-}" ] || hs_build_rev "$HOSTILE_BEFORE_REV"
	hs_keys
	if [ "$hs_standalone" = 1 ]; then
		echo "machine: $(uname -m), $(nproc) cores, $(grep -m1 \
		    'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), \
load $(cut -d' ' -f1-3 /proc/loadavg)"
		echo "$hs_n normal echo clients, one 64-byte round trip every" \
		    "50 ms each, ${hs_secs} s a row (slow drip: ${hs_drip_secs} s)"
		echo "round trips: median / 99th percentile / worst; relay:" \
		    "peak RSS (VmHWM), RSS at the end of the row, CPU time"
		echo "after: $hs_after_bin${hs_before_bin:+; before: $hs_before_bin}"
		echo
		if [ -n "$hs_before_bin" ]; then
			echo "| attack | before: round trips | before: relay" \
			    "| after: round trips | after: relay | worst, before / after |"
			echo "|---|---|---|---|---|---|"
		else
			echo "| attack | round trips | relay |"
			echo "|---|---|---|"
		fi
	fi
	for a in $hs_only; do
		t=$(hs_title "$a")
		before=
		if [ -n "$hs_before_bin" ]; then
			hs_row "$a" "$hs_before_bin" before
			before=$hs_res
		fi
		hs_row "$a" "$hs_after_bin" after
		after=$hs_res
		if [ "$hs_standalone" = 1 ] && [ -n "$before" ]; then
			echo "| $t | $(hs_fmt "$before") | $(hs_fmt "$after") |" \
			    "$(hs_ratio "$before" "$after") |"
		elif [ "$hs_standalone" = 1 ]; then
			echo "| $t | $(hs_fmt "$after") |"
		else
			b=- r=-
			if [ -n "$before" ]; then
				b=$(hs_fmt "$before" | sed 's/ | /, /')
				r=$(hs_ratio "$before" "$after")
			fi
			echo "| hostile: $hs_n echo clients' round trips" \
			    "(median / p99 / worst), relay RSS, while $t |" \
			    "$(hs_fmt "$after" | sed 's/ | /, /') | $b | $r |"
		fi
	done
}

hs_run
hs_cleanup
trap - EXIT INT TERM
[ "${HOSTILE_KEEP:-0}" = 1 ] || rm -rf "$hs_dir"
