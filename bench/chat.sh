# The chat protocol on loopback, sourced by bench/run.sh.  A load
# generator (bench/chatload.c, built here with cc) drives the relay's chat
# service and, with the same clients, frames and sizes, ncat --broker:
# 1. fan-out, two ways, each N x 100 x (N - 1) deliveries of 64-byte
#    message frames among CHAT_N (100) clients, in relayed messages per
#    second:
#    a. chat-like: 100 rounds; in each, every client sends one message
#       and the round ends when every client has the others' (what a
#       chat room does: many senders, one message at a time each);
#    b. bursts: every client sends CHAT_MSGS (100) messages at once.
# 2. ping-pong: two clients, a 64-byte frame there and back; median round
#    trip over 2000 rounds.
# 3. CHAT_IDLE (10000) clients join (full key exchange) and stay idle; the
#    relay's RSS growth per client (all from 127.0.0.1: --max-per-ip 0).
# Each of 1 and 2 is the median of RUNS runs, alternating pk and ncat.
# ncat relays bytes, not frames: a read that ends inside one sender's
# frame, forwarded before another sender's bytes, splits the frame, so
# each client's burst must fit one ncat read (8 KiB: 100 x 68 bytes).
# The relay forwards whole frames only and takes any burst (try
# CHAT_MSGS=1000 against the relay alone).
chat_dir="$BENCH_WORK/chat"
chat_n=${CHAT_N:-100}
chat_msgs=${CHAT_MSGS:-100}
chat_idle=${CHAT_IDLE:-10000}
rm -rf "$chat_dir"
mkdir -p "$chat_dir"
chmod 700 "$chat_dir"
mkdir -m 700 "$chat_dir/state"
cc -O2 -o "$chat_dir/chatload" bench/chatload.c ||
    { echo "bench: cannot build bench/chatload.c" >&2; exit 2; }
pk-keygen rsa -b 2048 --no-pass -o "$chat_dir/state/chat" > /dev/null
pk-keygen rsa -b 2048 --no-pass -o "$chat_dir/client" > /dev/null
export CHATLOAD_PUB="$chat_dir/client.pub"

pk-relay -d "$chat_dir/state" --idle-timeout 0 --max-per-ip 0 \
    --max-clients $((chat_idle + 100)) chat@127.0.0.1:0 \
    > "$chat_dir/relay.out" 2> "$chat_dir/relay.log" &
chat_relay=$!
ncat --broker -l 127.0.0.1 0 > /dev/null 2>&1 < /dev/null &
chat_ncat=$!
# ncat prints no port for port 0: find its listener.
trap 'kill "$chat_relay" "$chat_ncat" 2>/dev/null' EXIT
chat_i=0
chat_nport=
until grep -q '^listening chat ' "$chat_dir/relay.out" && [ -n "$chat_nport" ]; do
	chat_i=$((chat_i + 1))
	[ "$chat_i" -le 100 ] || { echo "bench: no relay or ncat" >&2; exit 2; }
	sleep 0.05
	chat_nport=$(ss -Htlnp 2>/dev/null | awk -v p="pid=$chat_ncat," \
	    'index($0, p) { sub(/.*:/, "", $4); print $4; exit }')
done
chat_port=$(sed -n 's/^listening chat .*://p' "$chat_dir/relay.out")
chat_load="$chat_dir/chatload"

# chat_median FIELD CMD...: the median of FIELD over RUNS runs of CMD.
chat_median() {
	_f=$1
	shift
	for _i in $(seq "$RUNS"); do
		"$@" | awk -v f="$_f" '{ print $f }'
	done | median
}

# chat_fanout chat|raw PORT MSGS ROUNDS: one fan-out run's deliveries
# per second.
chat_fanout() {
	_o=$("$chat_load" "$1" fanout 127.0.0.1 "$2" "$chat_n" "$3" 64 "$4") ||
	    { echo "bench: chatload $1 fanout failed" >&2; exit 2; }
	echo "$_o" | awk '{ printf "%d\n", $2 / $4 }'
}

# chat_rates MSGS ROUNDS: the medians, PK_RATE and PEER_RATE.
chat_rates() {
	_i=0
	: > "$chat_dir/pk.rates"
	: > "$chat_dir/peer.rates"
	while [ "$_i" -lt "$RUNS" ]; do
		chat_fanout chat "$chat_port" "$1" "$2" >> "$chat_dir/pk.rates"
		chat_fanout raw "$chat_nport" "$1" "$2" >> "$chat_dir/peer.rates"
		_i=$((_i + 1))
	done
	PK_RATE=$(median < "$chat_dir/pk.rates")
	PEER_RATE=$(median < "$chat_dir/peer.rates")
}

chat_rates 1 100
awk -v n="$chat_n" -v p="$PK_RATE" -v q="$PEER_RATE" \
    'BEGIN { printf "| chat: fan-out, %d clients, 100 rounds of one 64 B " \
    "msg each (vs ncat --broker) | %.0f msg/s | %.0f msg/s | %.2f |\n",
    n, p, q, p / q }'
chat_rates "$chat_msgs" 1
awk -v n="$chat_n" -v m="$chat_msgs" -v p="$PK_RATE" -v q="$PEER_RATE" \
    'BEGIN { printf "| chat: fan-out, %d clients x a burst of %d msgs of " \
    "64 B (vs ncat --broker) | %.0f msg/s | %.0f msg/s | %.2f |\n",
    n, m, p, q, p / q }'

chat_pk_rtt=$(chat_median 2 "$chat_load" chat ping 127.0.0.1 "$chat_port" 2000 64)
chat_peer_rtt=$(chat_median 2 "$chat_load" raw ping 127.0.0.1 "$chat_nport" 2000 64)
awk -v p="$chat_pk_rtt" -v q="$chat_peer_rtt" 'BEGIN {
    printf "| chat: ping-pong round trip, 64 B (vs ncat --broker) | %d us | " \
    "%d us | %.2f |\n", p, q, q / p }'

# Idle clients: the relay's RSS before and after they join.
chat_rss() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$chat_relay/status"
}
chat_before=$(chat_rss)
mkfifo "$chat_dir/idle.in"
"$chat_load" chat idle 127.0.0.1 "$chat_port" "$chat_idle" \
    < "$chat_dir/idle.in" > "$chat_dir/idle.out" &
chat_idle_pid=$!
exec 9> "$chat_dir/idle.in"
chat_i=0
until grep -q '^ready' "$chat_dir/idle.out"; do
	kill -0 "$chat_idle_pid" 2>/dev/null ||
	    { echo "bench: chatload idle failed" >&2; exit 2; }
	sleep 0.1
done
chat_after=$(chat_rss)
exec 9>&-
wait "$chat_idle_pid" || true
awk -v n="$chat_idle" -v a="$chat_before" -v b="$chat_after" 'BEGIN {
    printf "| chat: %d idle clients joined on one relay | %.1f KiB RSS " \
    "per client (%.0f MiB in all) | - | - |\n", n, (b - a) / n, b / 1024 }'

kill "$chat_relay" "$chat_ncat" 2>/dev/null || true
wait "$chat_relay" 2>/dev/null || true
wait "$chat_ncat" 2>/dev/null || true
trap - EXIT
rm -rf "$chat_dir"
