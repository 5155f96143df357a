# The vault protocol on loopback, sourced by bench/run.sh.
# 1. One VAULT_MB file (default 1024 MiB) through `pk-xfer vault client`
#    (reconnect, AES-256-CBC, 828 packets, the relay decrypts, CRCs and
#    keeps it: write, fsync, rename) against the same file through
#    `openssl enc -aes-256-cbc | socat` into `socat | openssl enc -d > out`.
# 2. Uploads per second: 100 clients at once, each sending a 64 KiB file,
#    against 100 of those openssl/socat pipelines at once.
# Own sizes, not BENCH_INPUT.  The relay gets --max-file for the file.
vault_mb=${VAULT_MB:-1024}
vault_dir="$BENCH_WORK/vault"
rm -rf "$vault_dir"
mkdir -p "$vault_dir/state"
vault_in="$vault_dir/big.bin"
head -c $((vault_mb * 1048576)) /dev/urandom > "$vault_in"
head -c 65536 /dev/urandom > "$vault_dir/small.bin"

bench_relay "$vault_dir" vault --max-file $((vault_mb * 1048576 + 16))
vault_relay=$RELAY_PID vault_addr=$RELAY_ADDR
trap 'kill "$vault_relay" 2>/dev/null' EXIT

# vault_client DIR NAME FILE: a client directory, registered and keyed by
# a first run, so that the timed runs reconnect.
vault_client() {
	mkdir -p "$1"
	printf '%s\n%s\n%s\n' "$vault_addr" "$2" "$3" > "$1/transfer.info"
	(cd "$1" && pk-xfer vault client > /dev/null)
}

# The peer scripts read these.
VAULT_KEY=$(openssl rand -hex 32)
VAULT_IV=00000000000000000000000000000000
VAULT_DIR=$vault_dir
VAULT_N=100
export VAULT_KEY VAULT_IV VAULT_DIR VAULT_N

# peer.sh OUT: stdin through openssl and socat to a socat on a free port,
# decrypted into OUT.  One key for every run: a vault reconnect makes a
# new one, at no cost worth counting.
cat > "$vault_dir/peer.sh" <<'EOF'
set -eu
log=$(mktemp)
socat -d -d -u TCP-LISTEN:0,bind=127.0.0.1,reuseaddr - < /dev/null 2> "$log" |
    openssl enc -d -aes-256-cbc -K "$VAULT_KEY" -iv "$VAULT_IV" > "$1" &
until grep -q ' listening on ' "$log"; do sleep 0.01; done
port=$(sed -n 's/.* listening on .*:\([0-9]*\)$/\1/p' "$log")
openssl enc -aes-256-cbc -K "$VAULT_KEY" -iv "$VAULT_IV" |
    socat -u - "TCP:127.0.0.1:$port"
wait
rm -f "$log"
EOF

# many.sh pk: VAULT_N clients at once.  many.sh peer: one forking socat
# that decrypts each connection into its own file and notes it in done,
# and VAULT_N openssl | socat senders at once; over when all are noted.
cat > "$vault_dir/many.sh" <<'EOF'
set -u
dir=$VAULT_DIR i=0 pids= rv=0
if [ "$1" = peer ]; then
	: > "$dir/done"
	socat -d -d TCP-LISTEN:0,bind=127.0.0.1,reuseaddr,fork,backlog=256 \
	    SYSTEM:'openssl enc -d -aes-256-cbc -K "$VAULT_KEY" -iv "$VAULT_IV" > "$VAULT_DIR/peer.$SOCAT_PEERPORT" && echo >> "$VAULT_DIR/done"' \
	    < /dev/null 2> "$dir/server.log" &
	server=$!
	until grep -q ' listening on ' "$dir/server.log"; do sleep 0.01; done
	port=$(sed -n 's/.* listening on .*:\([0-9]*\)$/\1/p' "$dir/server.log")
fi
while [ "$i" -lt "$VAULT_N" ]; do
	if [ "$1" = pk ]; then
		(cd "$dir/c$i" && pk-xfer -t 120 vault client > /dev/null) &
	else
		openssl enc -aes-256-cbc -K "$VAULT_KEY" -iv "$VAULT_IV" \
		    < "$dir/small.bin" | socat -u - "TCP:127.0.0.1:$port" &
	fi
	pids="$pids $!"
	i=$((i + 1))
done
for p in $pids; do wait "$p" || rv=1; done
if [ "$1" = peer ]; then
	until [ "$(wc -l < "$dir/done")" -ge "$VAULT_N" ]; do sleep 0.01; done
	kill "$server"
	rm -f "$dir"/peer.*
fi
exit "$rv"
EOF

# Keyed with the small file; then the timed runs send the big one.
vault_client "$vault_dir/big" big "$vault_dir/small.bin"
printf '%s\nbig\n%s\n' "$vault_addr" "$vault_in" > "$vault_dir/big/transfer.info"
bench_row "vault: pk-xfer vault client, $vault_mb MiB" "$RUNS" "$vault_in" \
    "cd $vault_dir/big && pk-xfer vault client" \
    "sh $vault_dir/peer.sh $vault_dir/big.out"
rm -f "$vault_dir/big.out" "$vault_dir"/state/files/vault/*/big.bin "$vault_in"

# Every client keyed by a first run, so that the timed runs reconnect.
vault_i=0
while [ "$vault_i" -lt "$VAULT_N" ]; do
	vault_client "$vault_dir/c$vault_i" "user$vault_i" "$vault_dir/small.bin"
	vault_i=$((vault_i + 1))
done
bench_pair vault-many "$RUNS" /dev/null "sh $vault_dir/many.sh pk" \
    "sh $vault_dir/many.sh peer"
awk -v n="$VAULT_N" -v p="$PK_US" -v q="$PEER_US" 'BEGIN {
    printf "| vault: %d clients at once, 64 KiB each | %.0f uploads/s | " \
    "%.0f uploads/s | %.2f |\n", n, n * 1e6 / p, n * 1e6 / q, q / p }'

kill "$vault_relay"
wait "$vault_relay" || true
trap - EXIT
rm -rf "$vault_dir"
