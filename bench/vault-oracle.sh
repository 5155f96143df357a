# The vault padding oracle (docs/labs/vault-padding-oracle.md), sourced by
# bench/run.sh: alice uploads an ORACLE_KB file (default 4 KiB) traced,
# then `pk-attack vault-padding-oracle` and bench/vault_oracle.py (a
# minimal Python attacker, the same queries: no padding-oracle tool is
# packaged in Debian or npm) each decrypt it from the capture through the
# live relay.  One run each, alternating is pointless at minutes a run;
# rows: queries per second and the time for the whole file.
oracle_kb=${ORACLE_KB:-4}
oracle_dir="$BENCH_WORK/oracle"
rm -rf "$oracle_dir"
mkdir -p "$oracle_dir/state" "$oracle_dir/alice"
head -c $((oracle_kb * 1024)) /dev/urandom > "$oracle_dir/alice/file.bin"

bench_relay "$oracle_dir" vault
oracle_relay=$RELAY_PID
trap 'kill "$oracle_relay" 2>/dev/null' EXIT
printf '%s\nalice\nfile.bin\n' "$RELAY_ADDR" > "$oracle_dir/alice/transfer.info"
(
	cd "$oracle_dir/alice" || exit 2
	pk-xfer vault register > /dev/null
	pk-keygen rsa -b 1024 -e 17 --no-pass -o k > /dev/null
	pk-xfer vault pubkey -k k.key -o aes.wrapped
	pk-wrap -d --oaep-sha1 -k k.key < aes.wrapped > aes.key
	pk-aes-cbc -e --zero-iv --raw-key -k aes.key < file.bin > file.enc 2> /dev/null
	pk-xfer --trace-json ../capture.json vault send < file.enc > /dev/null
	pk-xfer vault ack ok
)

# oracle_run NAME CMD: runs CMD (the file recovered on stdout, its query
# count last on stderr), checks the file, sets ORACLE_US and ORACLE_Q.
oracle_run() {
	_s=${EPOCHREALTIME/./}
	eval "$2" > "$oracle_dir/out" 2> "$oracle_dir/err" ||
	    { echo "bench: $1 failed" >&2; cat "$oracle_dir/err" >&2; exit 2; }
	_e=${EPOCHREALTIME/./}
	cmp -s "$oracle_dir/out" "$oracle_dir/alice/file.bin" ||
	    { echo "bench: $1 recovered the wrong bytes" >&2; exit 2; }
	ORACLE_US=$((_e - _s))
	ORACLE_Q=$(tail -n 1 "$oracle_dir/err" | sed 's/.*: \([0-9]*\) queries.*/\1/')
}

oracle_run pk-attack "pk-attack vault-padding-oracle --to $RELAY_ADDR $oracle_dir/capture.json"
pk_us=$ORACLE_US pk_q=$ORACLE_Q
oracle_run python "python3 bench/vault_oracle.py $RELAY_ADDR $oracle_dir/capture.json"
awk -v kb="$oracle_kb" -v p="$pk_us" -v pq="$pk_q" -v q="$ORACLE_US" \
    -v qq="$ORACLE_Q" 'BEGIN {
    printf "| vault padding oracle: queries | %.0f queries/s | %.0f queries/s | %.2f |\n",
        pq * 1e6 / p, qq * 1e6 / q, (pq / p) / (qq / q)
    printf "| vault padding oracle: %d KiB file (%d, %d queries) | %.1f s | %.1f s | %.2f |\n",
        kb, pq, qq, p / 1e6, q / 1e6, q / p }'

kill "$oracle_relay"
wait "$oracle_relay" || true
trap - EXIT
rm -rf "$oracle_dir"
