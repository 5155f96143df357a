# The e2e protocol on loopback, sourced by bench/run.sh: one E2E_MB file
# (default 4 MiB) through `pk-xfer e2e upload` (every 190 bytes one
# RSA-2048 OAEP-SHA256 block: the client encrypts, the relay decrypts
# and answers with an encrypted acknowledgement, the client decrypts it)
# against the same file through `pk-xfer vault client` (hybrid: one RSA
# block for an AES-256 key, then AES-256-CBC).  The ratio is e2e's speed
# over vault's.  RSA decryption costs about a millisecond a block, so the
# file is small and the runs are at most 3.
e2e_mb=${E2E_MB:-4}
e2e_runs=$((RUNS < 3 ? RUNS : 3))
e2e_dir="$BENCH_WORK/e2e"
rm -rf "$e2e_dir"
mkdir -p "$e2e_dir/state" "$e2e_dir/vault/state" "$e2e_dir/client"
e2e_in="$e2e_dir/file.bin"
head -c $((e2e_mb * 1048576)) /dev/urandom > "$e2e_in"
openssl rand -hex 16 > "$e2e_dir/state/e2e.pass"
openssl rand -hex 16 > "$e2e_dir/client.pass"
pk-keygen rsa --legacy --pass-file "$e2e_dir/state/e2e.pass" \
    -o "$e2e_dir/state/e2e" > /dev/null
pk-keygen rsa --legacy --pass-file "$e2e_dir/client.pass" \
    -o "$e2e_dir/client" > /dev/null
cp "$e2e_dir/client.pub" "$e2e_dir/state/e2e-client.pub"

bench_relay "$e2e_dir" e2e-upload
e2e_relay=$RELAY_PID e2e_addr=$RELAY_ADDR
bench_relay "$e2e_dir/vault" vault
e2e_vault=$RELAY_PID
trap 'kill "$e2e_relay" "$e2e_vault" 2>/dev/null' EXIT

# The vault client registers and gets its key with a first, small upload,
# so that the timed runs reconnect as vault.sh's do.
head -c 1024 /dev/urandom > "$e2e_dir/small.bin"
printf '%s\nsmall\n%s\n' "$RELAY_ADDR" "$e2e_dir/small.bin" \
    > "$e2e_dir/client/transfer.info"
(cd "$e2e_dir/client" && pk-xfer vault client > /dev/null)
printf '%s\nfile\n%s\n' "$RELAY_ADDR" "$e2e_in" \
    > "$e2e_dir/client/transfer.info"

bench_pair e2e "$e2e_runs" "$e2e_in" \
    "pk-xfer e2e upload -k $e2e_dir/client.key --pass-file $e2e_dir/client.pass -s $e2e_dir/state/e2e.pub $e2e_addr $e2e_in" \
    "cd $e2e_dir/client && pk-xfer vault client"
cmp "$e2e_in" "$e2e_dir/state/files/e2e/file.bin" ||
    { echo "bench: e2e: the uploaded file differs" >&2; exit 2; }
awk -v n="e2e: pk-xfer e2e upload, $e2e_mb MiB (peer: vault's hybrid upload)" \
    -v b=$((e2e_mb * 1048576)) -v p="$PK_US" -v q="$PEER_US" 'BEGIN {
    printf "| %s | %.3f MB/s | %.0f MB/s | %.5f |\n", n, b / p, b / q,
    q / p }'

kill "$e2e_relay" "$e2e_vault"
wait "$e2e_relay" "$e2e_vault" || true
trap - EXIT
rm -rf "$e2e_dir"
