# The keymanager protocol on loopback, sourced by bench/run.sh: one
# BENCH_INPUT file from `pk-xfer keymanager send` to `pk-xfer keymanager
# wait` in CBC (the pairing with the relay, K and IV unwrapped, the
# confirmation, the peer channel, the counts), against the same file
# through `openssl enc -aes-128-cbc | socat` into `socat | openssl enc -d`.
km_dir="$BENCH_WORK/keymanager"
rm -rf "$km_dir"
mkdir -p -m 700 "$km_dir/state"
pk-keygen aes -b 128 -o "$km_dir/state/k3"
cp "$km_dir/state/k3" "$km_dir/k3"
bench_relay "$km_dir" keymanager
km_relay=$RELAY_PID KM_ADDR=$RELAY_ADDR
trap 'kill "$km_relay" 2>/dev/null' EXIT
KM_KEY=$(openssl rand -hex 16)
KM_IV=$(openssl rand -hex 16)
KM_DIR=$km_dir
export KM_ADDR KM_KEY KM_IV KM_DIR

# pk.sh IN OUT: a waiter into OUT, listed before the sender starts.
cat > "$km_dir/pk.sh" <<'EOF2'
set -eu
n=$(grep -c 'waits on port' "$KM_DIR/relay.log" || true)
rm -f "$2"
pk-xfer -t 120 keymanager wait -k "$KM_DIR/k3" --yes -o "$2" "$KM_ADDR" \
    > /dev/null &
w=$!
until [ "$(grep -c 'waits on port' "$KM_DIR/relay.log")" -gt "$n" ]; do
	sleep 0.01
done
pk-xfer -t 120 keymanager send -k "$KM_DIR/k3" "$KM_ADDR" "$1" > /dev/null
wait "$w"
EOF2

cat > "$km_dir/peer.sh" <<'EOF2'
set -eu
log=$(mktemp)
socat -d -d -u TCP-LISTEN:0,bind=127.0.0.1,reuseaddr - < /dev/null 2> "$log" |
    openssl enc -d -aes-128-cbc -K "$KM_KEY" -iv "$KM_IV" > "$2" &
until grep -q ' listening on ' "$log"; do sleep 0.01; done
port=$(sed -n 's/.* listening on .*:\([0-9]*\)$/\1/p' "$log")
openssl enc -aes-128-cbc -K "$KM_KEY" -iv "$KM_IV" < "$1" |
    socat -u - "TCP:127.0.0.1:$port"
wait
rm -f "$log"
EOF2

bench_row "keymanager: wait + send, cbc, $BENCH_MB MiB" "$RUNS" "$BENCH_INPUT" \
    "sh $km_dir/pk.sh $BENCH_INPUT $km_dir/out.pk" \
    "sh $km_dir/peer.sh $BENCH_INPUT $km_dir/out.peer"
cmp "$BENCH_INPUT" "$km_dir/out.pk"

kill "$km_relay"
wait "$km_relay" || true
trap - EXIT
rm -rf "$km_dir"
