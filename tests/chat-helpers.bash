# shellcheck shell=bash
# The interactive chat clients of tests/chat.bats and tests/trace-chat.bats:
# pk-xfer chat processes fed through FIFOs held open by the test (their
# PIDs in CPID, their FIFO ends in CFD, both keyed by user name), against
# the relay start_relay started, with the keys setup_file made in
# $BATS_FILE_TMPDIR.

# chat_keys NAME...: an RSA-2048 key per name in $BATS_FILE_TMPDIR (for
# setup_file).
chat_keys() {
	local n
	for n in "$@"; do
		pk-keygen rsa -b 2048 --no-pass -o "$BATS_FILE_TMPDIR/$n" \
		    > /dev/null
	done
}

# chat_state NAME: no clients yet, and ./state holding NAME's key as
# the relay's chat.key (for setup).
chat_state() {
	declare -gA CPID=() CFD=()
	mkdir -m 700 state
	cp "$BATS_FILE_TMPDIR/$1.key" state/chat.key
}

# join NAME [ARGS...]: starts pk-xfer chat for NAME reading NAME.in, and
# waits until the relay has sent NAME the session key.
join() {
	local n=$1
	shift
	mkfifo "$n.in"
	# Without the other clients' FIFO ends, or their EOF never comes.
	(
		for fd in "${CFD[@]}"; do
			exec {fd}>&-
		done
		exec pk-xfer chat -u "$n" -k "$BATS_FILE_TMPDIR/$n.key" "$@" \
		    "127.0.0.1:$RELAY_PORT" < "$n.in" > "$n.out" 2> "$n.err"
	) 3>&- &
	CPID[$n]=$!
	# shellcheck disable=SC1083,SC2093 # bash: exec {array[i]}> names the fd
	exec {CFD[$n]}> "$n.in"
	wait_log "secret key sent to $n\$"
}

say() {
	echo "$2" >&"${CFD[$1]}"
}

# leave NAME: closes NAME's stdin and waits for the client; its exit
# status is in STATUS.
leave() {
	# shellcheck disable=SC1083,SC2093 # bash: exec {array[i]}> names the fd
	exec {CFD[$1]}>&-
	unset "CFD[$1]"
	STATUS=0
	wait "${CPID[$1]}" || STATUS=$?
	unset "CPID[$1]"
}
