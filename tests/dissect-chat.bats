#!/usr/bin/env bats
# The Wireshark dissector on chat (issue 13): one `protokit run chat`
# captured on the loopback and read back with tshark and
# wireshark/protokit.lua; every frame decodes, none is malformed, and the
# steps, user names, keys and messages are those of the run's JSON
# trace.  Then a frame split across TCP segments, and one that is not
# what its step wants, sent to a relay by hand.

load helpers
load dissect-run

setup_file() {
	capture_run chat
	PORT=$(json_ports user_name)
	export PORT
	setup
	dissect chat chat.step chat.name chat.fingerprint chat.der_length \
	    chat.iv chat.ciphertext chat.length
}

setup() {
	PREFS=(-o "chat.ports:$PORT")
	PCAP=$BATS_FILE_TMPDIR/chat.pcap
}

# wire JQ: of every frame the clients sent or received (their peer the
# relay: each crossed the wire once), the values jq's JQ makes, one a
# line, sorted.  The relay's own trace is not the wire's: at TERMINATE
# it traces the notices it queues for members it then closes.
wire() {
	jq -r "select(.peer == \"127.0.0.1:$PORT\") | $1" \
	    "$BATS_FILE_TMPDIR/chat.json" | sort
}

# field NAME [KEY]: the hex (or KEY) of the wire's fields NAME.
field() {
	wire ".fields[] | select(.name == \"$1\") | .${2:-hex}"
}

@test "dissect chat: every frame of the run decodes, none is malformed" {
	values chat 1 > steps
	[ "$(wc -l < steps)" -eq "$(wire .step | wc -l)" ]
	[ "$(wc -l < steps)" -ge 20 ]
	run -1 grep -v -x -e user_name -e server_key -e client_key \
	    -e wrapped_key -e message -e notice steps
	run -1 grep -i malformed "$BATS_FILE_TMPDIR/chat.verbose"
}

@test "dissect chat: the steps and the user names are the trace's" {
	values chat 1 | sort > steps
	wire .step > want
	diff want steps
	values chat 2 | sort > names
	wire 'select(.step == "user_name") | .fields[1].value' > want
	diff want names
	assert_equal "$(paste -sd' ' names)" "alice bob carol"
}

@test "dissect chat: the keys' fingerprints, the IVs, ciphertexts and lengths are the trace's" {
	values chat 3 | sort > got
	field public_key fingerprint > want
	diff want got
	[ "$(wc -l < got)" -eq 6 ]
	run -0 sort -u <(values chat 4)
	assert_output 294
	values chat 5 | sort > got
	field iv > want
	diff want got
	values chat 6 | sort > got
	field ciphertext > want
	diff want got
	values chat 7 | sort > got
	field length value > want
	diff want got
}

@test "dissect chat: a frame split across TCP segments is reassembled; a key that is not PEM is malformed" {
	local tp fd
	mkdir -m 700 state
	cp "$FIXTURES/keys/pkcs8.pem" state/chat.key
	start_relay chat@127.0.0.1:0
	tcpdump -i lo -U --immediate-mode -w split.pcap "tcp port $RELAY_PORT" 2> tcpdump.err \
	    3>&- &
	tp=$!
	wait_file tcpdump.err ': listening on '
	exec {fd}<> "/dev/tcp/127.0.0.1/$RELAY_PORT"
	# three writes, apart: the user name's frame in three segments
	printf '\0\0' >&"$fd"
	sleep 0.2
	printf '\0\5al' >&"$fd"
	sleep 0.2
	printf 'ice' >&"$fd"
	wait_log 'username alice$'
	printf '\0\0\0\3abc' >&"$fd"
	wait_log 'protocol error'
	exec {fd}>&-
	stop_capture split.pcap "$tp"
	PREFS=(-o "chat.ports:$RELAY_PORT")
	PCAP=split.pcap
	run -0 tsh -Y chat -T fields -e chat.step -e chat.name -e tcp.segment \
	    -e _ws.expert.message
	assert_line --index 0 --regexp $'^user_name\talice\t[0-9]+,[0-9]+,[0-9]+\t'
	assert_line --index 1 --regexp $'^server_key\t'
	assert_line --index 2 --regexp $'^client_key\t.*not a PEM block'
	stop_relay
}
