#!/usr/bin/env bats
# pk-xfer against hostile servers: a fake server (socat running a shell
# loop) that drips one byte a second for ever, so that no reply ever
# completes and no single read waits long; -t must bound each reply as a
# whole.  Also what `e2e send` says when the server closes without a word.

load helpers

setup() {
	DRIP_PIDS=()
}

teardown() {
	local p
	for p in "${DRIP_PIDS[@]}"; do
		kill "$p" 2> /dev/null || true
		wait "$p" 2> /dev/null || true
	done
}

# fake SCRIPT: a one-connection server (socat) on a free loopback port
# running the sh SCRIPT with the client on stdin and stdout; sets PORT.
# socat -t 30: a client that shuts down its side (e2e send does) does not
# end the script, which ends the connection when it exits.
fake() {
	local i line n=${#DRIP_PIDS[@]}
	printf '%s\n' "$1" > "fake$n.sh"
	: > "fake$n.log"
	socat -d -d -t 30 TCP-LISTEN:0,bind=127.0.0.1 SYSTEM:"sh fake$n.sh" \
	    2> "fake$n.log" 3>&- &
	DRIP_PIDS+=("$!")
	for ((i = 0; i < 100; i++)); do
		line=$(grep -m1 ' listening on ' "fake$n.log") && break
		sleep 0.05
	done
	[ -n "$line" ]
	PORT=${line##*:}
}

# drip_script OCTAL...: a shell script that sends the bytes given in
# octal, one a second (the first at once), then an x a second for ever: a
# message that never completes, each of its reads answered within a second.
drip_script() {
	local o script=
	for o in "$@"; do
		script+="printf '\\$o'; sleep 1; "
	done
	echo "${script}while printf x; do sleep 1; done"
}

# drip OCTAL...: a fake server running drip_script.
drip() {
	fake "$(drip_script "$@")"
}

# bound: the most milliseconds `-t 3` may take: 4 s, as the issue states
# (6 s for a sanitizer build, which starts and loads keys slower).
bound() {
	if grep -qa __asan_init "$PK_ROOT/bin/pk-xfer"; then
		echo 6000
	else
		echo 4000
	fi
}

# within T0: asserts that the time since T0 (date +%s%N) is at least 3 s
# (the -t) and at most $(bound) ms.
within() {
	local ms=$((($(date +%s%N) - $1) / 1000000))
	echo "# elapsed: $ms ms" >&3
	[ "$ms" -ge 2900 ] || { echo "ended after $ms ms, before -t 3" >&2; return 1; }
	[ "$ms" -le "$(bound)" ] || { echo "took $ms ms, over $(bound)" >&2; return 1; }
}

# timed CMD...: runs `timeout 20 CMD` (so an unbounded client still ends)
# with bats' run -2 --separate-stderr, and asserts its time with within.
timed() {
	local t0
	t0=$(date +%s%N)
	run -2 --separate-stderr timeout 20 "$@"
	within "$t0"
}

# The frame protocols: a 256-byte frame announced, its body dripping.
frame256=(000 000 001 000)

@test "hostile server: vault register against a slow drip exits 2 within 4 s of -t 3" {
	# 1603 (little-endian, as the seed) with its 279-byte payload announced, the payload dripping.
	drip 003 103 006 027 001 000 000
	printf '127.0.0.1:%s\nalice\ndata.bin\n' "$PORT" > transfer.info
	timed pk-xfer -t 3 vault register
	assert_equal "$stderr" "pk-xfer: 127.0.0.1:$PORT: no reply to 825 (register) in 3 s"
}

@test "hostile server: keymanager wait against a slow drip exits 2 within 4 s of -t 3" {
	pk-keygen aes -b 128 -o k3
	drip "${frame256[@]}"
	timed pk-xfer -t 3 keymanager wait -k k3 -o out "127.0.0.1:$PORT"
	assert_equal "$stderr" "pk-xfer: 127.0.0.1:$PORT: no answer in 3 s"
}

@test "hostile server: chat against a slow drip exits 2 within 4 s of -t 3" {
	drip "${frame256[@]}"
	timed pk-xfer -t 3 chat -u alice -k "$FIXTURES/wrap/2048.pem" \
	    "127.0.0.1:$PORT" < /dev/null
	assert_equal "${stderr_lines[-1]}" "pk-xfer: 127.0.0.1:$PORT: no answer in 3 s"
}

@test "hostile server: e2e send against a slow drip exits 2 within 4 s of -t 3" {
	drip "${frame256[@]}"
	timed pk-xfer -t 3 e2e send -k "$FIXTURES/wrap/2048-enc.pem" \
	    --pass-file "$FIXTURES/wrap/pass.txt" -s "$FIXTURES/wrap/2048.pub" \
	    "127.0.0.1:$PORT" "127.0.0.1:1/hello"
	assert_equal "$stderr" "pk-xfer: 127.0.0.1:$PORT: no answer in 3 s"
}

@test "hostile server: ca login against a slow drip exits 2 within 4 s of -t 3" {
	echo alicepw > alice.pass
	drip "${frame256[@]}"
	timed pk-xfer -t 3 ca login -u alice --pass-file alice.pass \
	    "127.0.0.1:$PORT"
	assert_equal "$stderr" "pk-xfer: 127.0.0.1:$PORT: no answer in 3 s"
}

@test "hostile server: a ca listen whose sender drips a message exits 2 within 4 s of -t 3" {
	local i port rc=0 t0
	timeout 20 pk-xfer -t 3 ca listen -k "$FIXTURES/wrap/2048.pem" \
	    > listen.out 2> listen.err 3>&- &
	DRIP_PIDS+=("$!")
	for ((i = 0; i < 100; i++)); do
		grep -q '^listening on ' listen.out && break
		sleep 0.1
	done
	port=$(sed -n 's/^listening on 127.0.0.1://p' listen.out)
	[ -n "$port" ]
	# The sender: a 256-byte ciphertext frame announced, dripping.
	drip_script "${frame256[@]}" > sender.sh
	t0=$(date +%s%N)
	socat -u SYSTEM:"sh sender.sh" "TCP:127.0.0.1:$port" 3>&- &
	DRIP_PIDS+=("$!")
	wait "${DRIP_PIDS[0]}" || rc=$?
	within "$t0"
	[ "$rc" -eq 2 ]
	assert_equal "$(cat listen.err)" "pk-xfer: sender: no answer in 3 s"
}

@test "hostile server: e2e send to a server that closes without a word exits 0 and says there is no receipt" {
	fake 'cat > /dev/null'
	run -0 --separate-stderr pk-xfer -t 3 e2e send \
	    -k "$FIXTURES/wrap/2048-enc.pem" --pass-file "$FIXTURES/wrap/pass.txt" \
	    -s "$FIXTURES/wrap/2048.pub" "127.0.0.1:$PORT" "127.0.0.1:9/hello"
	assert_output ''
	assert_equal "$stderr" "pk-xfer: 127.0.0.1:$PORT: the server closed without an error; e2e sends no receipt, so delivery to 127.0.0.1:9 is not confirmed"
}
