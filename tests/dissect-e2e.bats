#!/usr/bin/env bats
# The Wireshark dissector on e2e (issue 13): one `protokit run e2e`
# (messages, then an upload of a few hundred blocks) captured on the
# loopback and read back with tshark and wireshark/protokit.lua; every
# frame decodes as one 256-byte block, none is malformed, and the blocks,
# their count each way on each service and their numbers are those of
# the run's JSON trace (the clients', which saw every frame).

load helpers
load dissect-run

setup_file() {
	capture_run e2e
	PORT=$(json_ports send)
	UPLOAD_PORT=$(json_ports upload)
	export PORT UPLOAD_PORT
	setup
	dissect e2e e2e.step e2e.length e2e.block e2e.service e2e.to \
	    e2e.index tcp.stream
}

setup() {
	PREFS=(-o "e2e.ports:$PORT" -o "e2e.upload_ports:$UPLOAD_PORT")
	PCAP=$BATS_FILE_TMPDIR/e2e.pcap
}

# wire JQ [PORT]: of every frame the clients sent or received through
# the relay's PORT (both ports if none), the values JQ makes, sorted.
wire() {
	local re="^127.0.0.1:(${2:-$PORT|$UPLOAD_PORT})\$"
	jq -r "select(.peer | test(\"$re\")) | $1" \
	    "$BATS_FILE_TMPDIR/e2e.json" | sort
}

@test "dissect e2e: every frame of the run decodes as one block, none is malformed" {
	values e2e 1 | sort -u > steps
	assert_equal "$(cat steps)" block
	[ "$(values e2e 1 | wc -l)" -eq "$(wire .step | wc -l)" ]
	[ "$(values e2e 1 | wc -l)" -ge 100 ]
	run -0 sort -u <(values e2e 2)
	assert_output 256
	run -1 grep -i malformed "$BATS_FILE_TMPDIR/e2e.verbose"
}

@test "dissect e2e: the blocks are the trace's, counted each way on each service" {
	local svc port to dir
	for svc in e2e e2e-upload; do
		port=$PORT
		[ "$svc" = e2e ] || port=$UPLOAD_PORT
		for to in server client; do
			dir=sent
			[ "$to" = server ] || dir=received
			want=$(wire "select(.direction == \"$dir\") | .step" \
			    "$port" | wc -l)
			got=$(paste <(values e2e 4) <(values e2e 5) |
			    grep -cx "$svc	$to")
			[ "$got" -eq "$want" ] || {
				echo "$svc to the $to: $got blocks, $want in the trace" >&2
				return 1
			}
		done
	done
	values e2e 3 | sort > got
	wire '.fields[] | select(.name == "block") | .hex' > want
	diff want got
}

@test "dissect e2e: each connection's blocks are numbered 1, 2, ... each way" {
	# one line per block: connection, way, number
	awk -F '\t' '{ n = split($6, idx, "|"); split($5, to, "|");
	    for (i = 1; i <= n; i++) print $7, to[i], idx[i] }' \
	    "$BATS_FILE_TMPDIR/e2e.fields" > numbers
	run -0 awk '{ k = $1 " " $2; if ($3 != ++n[k]) print "bad", $0 }
	    END { for (k in n) m++; print m, "ways" }' numbers
	refute_output --partial bad
	assert_output --regexp '^[0-9]+ ways$'
	[ "${output% ways}" -ge 4 ]
}
