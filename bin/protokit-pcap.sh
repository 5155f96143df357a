# shellcheck shell=sh
# protokit-pcap.sh: --pcap FILE for every bin/protokit-NAME (sourced by
# protokit-lib.sh, not a protocol itself).  tcpdump records the loopback
# TCP of the whole run into the working directory from before the relay
# starts; at the end the run's own connections (the relay's ports, read
# from relay.out, and the peer channels' ports a script names with
# pcap_port) are copied to FILE, those ports to FILE.ports, one tshark
# preference a line (`vault.ports:4000`, `keymanager.peer_ports:4001,4002`)
# for `tshark -o`, and the tshark command that decodes it is printed.
# Where tcpdump is missing or may not capture, one line says so and the
# run goes on without.  Every tcpdump command is shown as it runs.
# prog, work and run are protokit-lib.sh's (SC2154); pcap_dissector is
# for tests and the docs (SC2034).
# shellcheck disable=SC2154,SC2034

pcap='' pcap_pid='' pcap_ports=''

# pcap_file: --pcap's FILE made absolute (the script works in its own
# directory) and created, so that a file that cannot be written fails
# now; a quote in it is refused (the printed commands quote it with '').
# Also finds the dissector: the build tree's wireshark/ or the installed
# share/protokit/wireshark/ beside bin/.
pcap_file() {
	[ -n "$pcap" ] || usage_error "--pcap: missing file"
	case "$pcap" in
	*\'*) usage_error "--pcap: a quote in '$pcap'" ;;
	/*) ;;
	*) pcap="$PWD/$pcap" ;;
	esac
	{ true >>"$pcap"; } 2>/dev/null || die "$pcap: cannot write"
	pk_bin=$(cd "$(dirname "$0")" && pwd)
	pcap_dissector=wireshark/protokit.lua
	for pk_d in "$pk_bin/../wireshark" "$pk_bin/../share/protokit/wireshark"; do
		if [ -f "$pk_d/protokit.lua" ]; then
			pcap_dissector=$(cd "$pk_d" && pwd)/protokit.lua
			break
		fi
	done
}

# pcap_start: tcpdump on lo in the background (its PID in pcap_pid),
# waited for until it listens; if it cannot, says why and goes on.
pcap_start() {
	if ! command -v tcpdump >/dev/null 2>&1; then
		echo "$prog: --pcap: tcpdump not found (apt install tcpdump): running without a capture" >&2
		pcap_none
		return 0
	fi
	note "--pcap: tcpdump records the loopback TCP from now on"
	run "tcpdump -i lo -s 65560 -B 32768 -U --immediate-mode -w - 'tcp and host 127.0.0.1' > raw.pcap 2> tcpdump.log & pcap_pid=\$!"
	wait_until "grep -qs '^tcpdump: listening on' tcpdump.log || ! kill -0 \$pcap_pid 2> /dev/null"
	grep -qs '^tcpdump: listening on' tcpdump.log && return 0
	wait "$pcap_pid" 2>/dev/null || true
	echo "$prog: --pcap: tcpdump may not capture here ($(sed -n '1p' tcpdump.log)): running without a capture" >&2
	pcap_none
}

# pcap_none: no capture after all: FILE is not left behind empty.
pcap_none() {
	[ -s "$pcap" ] || rm -f "$pcap"
	pcap='' pcap_pid=''
}

# pcap_port PREF PORT: one port of the run for the ports file, as the
# tshark preference PREF of the dissector (keymanager.peer_ports); the
# relay's own ports come from relay.out.  Nothing without --pcap.
pcap_port() {
	[ -n "$pcap" ] || return 0
	pcap_ports="$pcap_ports $1:$2"
}

# pcap_sh CMD: shows CMD and runs it; a failure is said, not fatal (this
# runs in cleanup, whose exit status is the run's).
pcap_sh() {
	printf '    $ %s\n' "$1"
	eval "$1" || { echo "$prog: --pcap: failed: $1" >&2; return 1; }
}

# pcap_prefs: the ports file's lines, each preference once, its ports
# joined with commas: `listening SERVICE host:port` in relay.out gives
# SERVICE.ports, and e2e-upload's e2e.upload_ports.
pcap_prefs() {
	{
		sed -n 's/^listening \([a-z0-9]*\)-\([a-z0-9]*\) .*:\([0-9]*\)$/\1.\2_ports:\3/p
		    s/^listening \([a-z0-9]*\) .*:\([0-9]*\)$/\1.ports:\2/p' \
		    relay.out 2>/dev/null
		for pk_p in $pcap_ports; do
			echo "$pk_p"
		done
	} | awk -F: '!seen[$0]++ { a[$1] = a[$1] (a[$1] == "" ? "" : ",") $2 }
	    END { for (k in a) print k ":" a[k] }' | sort
}

# pcap_stop: called by cleanup: waits until tcpdump has written all it
# got (the capture stops growing; 6 s at most, as other programs on the
# loopback may never let it), stops it, keeps the run's ports only,
# writes the ports file and prints the tshark command.
pcap_stop() {
	printf '\n==> the capture: the run'\''s own connections to %s\n' "$pcap"
	pcap_sh "cd '$work'" || return 0
	pcap_sh "s=; i=0; until [ \"\$s\" = \"\$(wc -c < raw.pcap)\" ] || [ \$i = 20 ]; do s=\$(wc -c < raw.pcap); i=\$((i + 1)); sleep 0.3; done"
	pcap_sh "kill -TERM \$pcap_pid; wait \$pcap_pid" || true
	pcap_pid=''
	pk_lost=$(sed -n 's/^\([0-9]*\) packets* dropped by kernel$/\1/p' \
	    tcpdump.log 2>/dev/null) || true
	[ "${pk_lost:-0}" = 0 ] ||
	    echo "$prog: --pcap: tcpdump lost $pk_lost packets (a busy loopback): frames may be missing" >&2
	pk_prefs=$(pcap_prefs)
	if [ -z "$pk_prefs" ]; then
		echo "$prog: --pcap: the relay never said its port: no capture written" >&2
		pcap_none
		return 0
	fi
	pk_filter=$(echo "$pk_prefs" | sed 's/^[^:]*://' | tr ',\n' '  ' |
	    sed 's/ *$//; s/  */ or tcp port /g; s/^/tcp port /')
	pcap_sh "tcpdump -r - -w - '$pk_filter' < raw.pcap > '$pcap' 2>> tcpdump.log" || return 0
	pcap_sh "printf '%s\\n' $(echo "$pk_prefs" | tr '\n' ' ')> '$pcap.ports'" || return 0
	pk_o=$(echo "$pk_prefs" | sed 's/^/-o /' | tr '\n' ' ')
	echo "$prog: capture in $pcap, its ports in $pcap.ports; decode it with"
	echo "    tshark -X lua_script:$pcap_dissector $pk_o-r '$pcap'"
	echo "(-V for every field, -O NAME for one protocol's: docs/trace.md)"
}
