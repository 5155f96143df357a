# pk-keygen rsa against openssl genpkey: one RSA-2048 key pair, unencrypted,
# written to files, median of 20 runs each (keygen time varies widely with
# the primes drawn).  pk-keygen also writes the .pub and fsyncs both files.
bench_row_ops "keygen rsa 2048" 20 \
    "pk-keygen rsa -b 2048 --no-pass -f -o $BENCH_WORK/k" \
    "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out $BENCH_WORK/k.pem 2>/dev/null"
rm -f "$BENCH_WORK/k.key" "$BENCH_WORK/k.pub" "$BENCH_WORK/k.pem"
