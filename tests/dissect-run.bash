# Loaded by tests/dissect-{chat,e2e,ca}.bats: one protokit run of a
# protocol captured on the loopback, its JSON trace beside it, and tshark
# with wireshark/protokit.lua to read the capture back.

# capture_run NAME: in $BATS_FILE_TMPDIR, `protokit run NAME` with
# --trace-json NAME.json, its loopback traffic captured by tcpdump into
# NAME.pcap; the run's output in NAME.out.  Skips the file when tcpdump
# may not capture here.
capture_run() {
	local i tp
	cd "$BATS_FILE_TMPDIR" || return 1
	tcpdump -i lo -U --immediate-mode -B 16384 -w "$1.pcap" tcp \
	    2> tcpdump.err 3>&- &
	tp=$!
	for ((i = 0; i < 100; i++)); do
		grep -qs ': listening on ' tcpdump.err && break
		kill -0 "$tp" 2> /dev/null || break
		sleep 0.1
	done
	if ! grep -qs ': listening on ' tcpdump.err; then
		kill "$tp" 2> /dev/null
		wait "$tp" 2> /dev/null
		skip "tcpdump cannot capture here: $(head -1 tcpdump.err)"
	fi
	protokit run "$1" --trace-json "$1.json" > "$1.out" 2>&1 || {
		kill "$tp"
		wait "$tp"
		cat "$1.out" >&2
		return 1
	}
	stop_capture "$1.pcap" "$tp"
}

# stop_capture FILE PID: once FILE has stopped growing (tcpdump has
# written what the kernel captured), stops tcpdump PID; fails if the
# kernel dropped packets (its stderr in tcpdump.err).
stop_capture() {
	local i n m=-1
	for ((i = 0; i < 50; i++)); do
		n=$(tcpdump -r "$1" 2> /dev/null | wc -l)
		[ "$n" = "$m" ] && break
		m=$n
		sleep 0.2
	done
	kill "$2"
	wait "$2" || true
	if grep -q '^[1-9][0-9]* packets dropped by kernel' tcpdump.err; then
		cat tcpdump.err >&2
		return 1
	fi
}

# json_ports STEP...: the relay ports of the JSON trace's frames sent in
# these steps (their peer), comma-separated, for a tshark preference.
json_ports() {
	local IFS='|'
	jq -r "select(.direction == \"sent\" and (.step | test(\"^($*)\$\")))
	    | .peer" "$BATS_FILE_TMPDIR"/*.json | sed 's/.*://' | sort -un |
	    paste -sd, -
}

# tsh ARGS...: tshark on the capture with the dissector and the
# preferences in the array PREFS (-o NAME.ports:PORTS ...), stderr
# dropped (tshark warns when run as root).
tsh() {
	tshark -X "lua_script:$PK_ROOT/wireshark/protokit.lua" "${PREFS[@]}" \
	    -r "$PCAP" "$@" 2> /dev/null
}

# dissect NAME FIELD...: the capture's NAME frames, one line per packet,
# the FIELDs tab-separated (several frames in one packet: each field's
# values joined by "|"), into NAME.fields; and tshark -V -O NAME into
# NAME.verbose.
dissect() {
	local name=$1 a=()
	shift
	for f in "$@"; do
		a+=(-e "$f")
	done
	tsh -Y "$name" -T fields -E aggregator='|' "${a[@]}" > "$name.fields"
	tsh -Y "$name || _ws.malformed" -V -O "$name" > "$name.verbose"
}

# values NAME N: the values of the Nth field of NAME.fields, one a line.
values() {
	cut -f "$2" "$BATS_FILE_TMPDIR/$1.fields" | tr '|' '\n' | sed '/^$/d'
}
