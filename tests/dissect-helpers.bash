# Loaded (after helpers) by tests/dissect-*.bats: one captured run of a
# protocol, read back by tshark with the Lua dissector (wireshark/), and
# the frames it decodes set beside the JSON trace of the same run.
#
# capture_run NAME [OPTIONS]: in setup_file: bin/protokit-NAME --pcap and
#     --trace-json into $BATS_FILE_TMPDIR (NAME.pcap, NAME.pcap.ports,
#     NAME.json, NAME.out); skips when tshark or tcpdump is missing or
#     may not capture here; fails if the run fails or tcpdump lost
#     packets (a loopback too busy: the run says so).
# pk_tshark NAME ARGS...: tshark with the dissector and the run's ports
#     (-o lines of NAME.pcap.ports) on NAME.pcap; fails (with tshark's
#     stderr) if tshark fails or says anything on stderr but its root
#     warning, so that a Lua error in the dissector fails the test.
# capture_frames NAME PROTO: every PROTO frame tshark decodes, one line
#     each, sorted: "STEP FIELD@OFFSET+LENGTH=HEX ..." (from -T pdml; the
#     offsets within the frame, the bytes in hex); tshark runs once per
#     file, its PDML kept in $BATS_FILE_TMPDIR/NAME.PROTO.pdml.
# trace_frames NAME PROTO: the same lines from NAME.json, one for each
#     frame on the captured ports: the records whose peer is the relay
#     (or a peer channel's listener), so each frame once; the fields not
#     on the wire (offset null) left out.
# frame_fields: the "STEP FIELD" pairs of capture_frames or trace_frames
#     lines on stdin, sorted, each once.
# doc_wire_fields DOC [TABLE]: the "STEP FIELD" pairs of DOC's "### Fields
#     on the wire" table (or "### TABLE") whose offset is not `-` (on the
#     wire), sorted.
# capture_values NAME PROTO FIELD...: "FIELD VALUE" for every value
#     tshark -T fields shows of each PROTO.FIELD (one tshark run), sorted
#     by FIELD, in capture order within it (bytes as hex, text with \n
#     for a newline).
# trace_values NAME PROTO FIELD...: the same from trace_frames' records
#     of NAME.json: the value, or the hex when it has none (bytes).
# capture_clean NAME: fails, naming the frames, if tshark marks any frame
#     malformed or with an expert error, or if a TCP segment with payload
#     is decoded by none of the protocols of NAME.pcap.ports (nor part of
#     a reassembled frame: tshark -2, two passes, knows which; nor a
#     retransmission, whose bytes tshark decodes where they came first).
# hex_pcap NAME PREF PART...: $BATS_FILE_TMPDIR/NAME.pcap made of the
#     PARTs, one TCP segment each: "I HEX" from a client (port 40000) to
#     port 4000, "O HEX" back (text2pcap -D); NAME.pcap.ports says
#     PREF:4000 (chat.ports).

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
	# frames missing from the capture would fail the checks obscurely
	if grep -- '--pcap: tcpdump lost' "$d/$name.out" >&2; then
		return 1
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
	local pdml=$BATS_FILE_TMPDIR/$1.$2.pdml
	[ -s "$pdml" ] || pk_tshark "$1" -T pdml -Y "$2" > "$pdml" || return
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
	}' "$pdml" | sort
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

# frame_fields
frame_fields() {
	awk '{ for (i = 2; i <= NF; i++) { f = $i; sub(/@.*/, "", f)
	    print $1, f } }' | sort -u
}

# doc_wire_fields DOC
doc_wire_fields() {
	awk -v h="### ${2:-Fields on the wire}" '/^#+ / { t = ($0 == h); next }
	    t && /^\| *`/ { split($0, c, "|"); gsub(/[` ]/, "", c[2]);
	    gsub(/[` ]/, "", c[3]); gsub(/ /, "", c[4])
	    if (c[4] != "-") print c[2], c[3] }' "$1" | sort -u
}

# capture_values NAME PROTO FIELD...
capture_values() {
	local name=$1 proto=$2 f
	local -a e=()
	shift 2
	for f in "$@"; do
		e+=(-e "$proto.$f")
	done
	# values of one field in one packet joined by \037 (no text has it)
	pk_tshark "$name" -Y "$proto" -T fields -E occurrence=a \
	    -E aggregator=$'\037' "${e[@]}" | awk -F '\t' -v names="$*" '
	    BEGIN { n = split(names, f, " ") }
	    { for (i = 1; i <= n; i++) { k = split($i, v, "\037")
		for (j = 1; j <= k; j++) print f[i], v[j] } }' | sort -s -k1,1
}

# trace_values NAME PROTO FIELD...
trace_values() {
	local ports
	ports=$(sed 's/^[^:]*://' "$BATS_FILE_TMPDIR/$1.pcap.ports" |
	    tr ',\n' '  ')
	jq -r --arg p "$2" --arg names " ${*:3} " --arg ports " $ports " '
	    select(.protocol == $p) | select((.peer | sub(".*:"; "")) as $pp |
	    $ports | contains(" " + $pp + " ")) | .fields[] |
	    select(.offset != null) | select(.name as $n |
	    $names | contains(" " + $n + " ")) | .name + " " +
	    if .value == null then .hex else .value | tostring |
	    gsub("\n"; "\\n") end' "$BATS_FILE_TMPDIR/$1.json" |
	    sort -s -k1,1
}

# capture_clean NAME
capture_clean() {
	local bad protos
	protos=$(sed 's/\..*//' "$BATS_FILE_TMPDIR/$1.pcap.ports" | sort -u |
	    paste -sd '|' - | sed 's/|/ || /g')
	bad=$(pk_tshark "$1" -2 -Y "_ws.malformed || _ws.expert.severity >= 0x00800000 ||
	    _ws.expert.group == 0x07000000 ||
	    (tcp.len > 0 && !tcp.reassembled_in && !($protos) &&
	    !tcp.analysis.retransmission)") || return
	if [ -n "$bad" ]; then
		echo "malformed, in error or not decoded: $bad" >&2
		return 1
	fi
}

# hex_pcap NAME PREF PART...
hex_pcap() {
	local d=$BATS_FILE_TMPDIR name=$1 pref=$2 part
	shift 2
	for part in "$@"; do
		printf '%s\n' "${part%% *}"
		xxd -r -p <<< "${part#* }" | od -Ax -tx1 -v
	done > "$d/$name.txt"
	text2pcap -q -D -T 40000,4000 "$d/$name.txt" "$d/$name.pcap"
	echo "$pref:4000" > "$d/$name.pcap.ports"
}
