# Loaded (after helpers) by tests/dissect-*.bats: one captured run of a
# protocol, read back by tshark with the Lua dissector (wireshark/), and
# the frames it decodes set beside the JSON trace of the same run.
#
# capture_run NAME [OPTIONS]: in setup_file: bin/protokit-NAME --pcap and
#     --trace-json into $BATS_FILE_TMPDIR (NAME.pcap, NAME.pcap.ports,
#     NAME.json, NAME.out); skips when tshark or tcpdump is missing or
#     may not capture here; fails if the run fails.
# pk_tshark NAME ARGS...: tshark with the dissector and the run's ports
#     (-o lines of NAME.pcap.ports) on NAME.pcap; fails (with tshark's
#     stderr) if tshark fails or says anything on stderr but its root
#     warning, so that a Lua error in the dissector fails the test.
# capture_frames NAME PROTO: every PROTO frame tshark decodes, one line
#     each, sorted: "STEP FIELD@OFFSET+LENGTH=HEX ..." (from -T pdml; the
#     offsets within the frame, the bytes in hex).
# trace_frames NAME PROTO: the same lines from NAME.json, one for each
#     frame on the captured ports: the records whose peer is the relay
#     (or a peer channel's listener), so each frame once; the fields not
#     on the wire (offset null) left out.
# capture_clean NAME: fails, naming the frames, if tshark marks any frame
#     malformed or with an expert error, or if a TCP segment with payload
#     is decoded by none of the protocols of NAME.pcap.ports (nor part of
#     a reassembled frame).

# capture_run NAME [OPTIONS]
capture_run() {
	local name=$1 d=$BATS_FILE_TMPDIR
	shift
	command -v tshark > /dev/null || skip "tshark not installed (make deps)"
	command -v tcpdump > /dev/null || skip "tcpdump not installed (make deps)"
	"$PK_ROOT/bin/protokit-$name" --pcap "$d/$name.pcap" \
	    --trace-json "$d/$name.json" "$@" > "$d/$name.out" 2>&1 3>&- || {
		cat "$d/$name.out" >&2
		return 1
	}
	if grep -q -- '--pcap: .*running without a capture' "$d/$name.out"; then
		skip "tcpdump may not capture here: $(grep -- --pcap: "$d/$name.out")"
	fi
}

# pk_tshark NAME ARGS...
pk_tshark() {
	local name=$1 d=$BATS_FILE_TMPDIR err rc=0
	shift
	err=$(mktemp)
	# shellcheck disable=SC2046 # one -o option per line of the file
	tshark -X "lua_script:$PK_ROOT/wireshark/protokit.lua" \
	    $(sed 's/^/-o /' "$d/$name.pcap.ports") -r "$d/$name.pcap" "$@" \
	    2> "$err" || rc=$?
	if [ "$rc" != 0 ] || grep -qv '^Running as user' "$err"; then
		echo "tshark (status $rc) says:" >&2
		cat "$err" >&2
		rm -f "$err"
		return 1
	fi
	rm -f "$err"
}

# capture_frames NAME PROTO
capture_frames() {
	pk_tshark "$1" -T pdml -Y "$2" > "$BATS_FILE_TMPDIR/$1.pdml" || return
	awk -v p="$2" 'BEGIN { RS = "<" }
	function attr(a,   s) {
		if (!match($0, " " a "=\"[^\"]*\"")) return ""
		s = substr($0, RSTART, RLENGTH); sub(/^[^"]*"/, "", s)
		return substr(s, 1, length(s) - 1)
	}
	function done() { if (inp) print step line; inp = 0 }
	$0 ~ "^proto name=\"" p "\"" { done(); inp = 1; base = attr("pos");
	    step = ""; line = ""; next }
	/^\/proto>/ { done(); next }
	inp && $0 ~ "^field name=\"" p "\\." {
		n = attr("name"); sub(/^[^.]*\./, "", n)
		if (n == "step") { step = attr("show"); next }
		line = line " " n "@" attr("pos") - base "+" attr("size") "=" \
		    attr("value")
	}' "$BATS_FILE_TMPDIR/$1.pdml" | sort
}

# trace_frames NAME PROTO
trace_frames() {
	local ports
	ports=$(sed 's/^[^:]*://' "$BATS_FILE_TMPDIR/$1.pcap.ports" |
	    tr ',\n' '  ')
	jq -r --arg p "$2" --arg ports " $ports " 'select(.protocol == $p) |
	    select((.peer | sub(".*:"; "")) as $pp |
	    $ports | contains(" " + $pp + " ")) |
	    .step + ([.fields[] | select(.offset != null) |
	    " \(.name)@\(.offset)+\(.length)=\(.hex)"] | join(""))' \
	    "$BATS_FILE_TMPDIR/$1.json" | sort
}

# capture_clean NAME
capture_clean() {
	local bad protos
	bad=$(pk_tshark "$1" -Y '_ws.malformed || _ws.expert.severity >= 0x00800000 || _ws.expert.group == 0x07000000') ||
	    return
	if [ -n "$bad" ]; then
		echo "malformed or in error: $bad" >&2
		return 1
	fi
	protos=$(sed 's/\..*//' "$BATS_FILE_TMPDIR/$1.pcap.ports" | sort -u |
	    paste -sd '|' - | sed 's/|/ || /g')
	bad=$(pk_tshark "$1" -Y "tcp.len > 0 && !tcp.reassembled_in && !($protos)") ||
	    return
	if [ -n "$bad" ]; then
		echo "not decoded: $bad" >&2
		return 1
	fi
}
