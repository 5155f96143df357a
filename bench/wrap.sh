# pk-wrap against openssl pkeyutl and dgst with the same RSA-2048 key (the
# test fixture): one OAEP-SHA-256 wrap and unwrap of a 32-byte key, one
# PKCS#1 v1.5 signature (op/s, process start-up included), and signing the
# whole input (SHA-256 throughput).
# shellcheck shell=sh
wrap_key=tests/fixtures/wrap/2048.pem
wrap_pub=tests/fixtures/wrap/2048.pub
wrap_oaep="-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256"
head -c 32 /dev/urandom > "$BENCH_WORK/wrap.key"
pk-wrap -e -k $wrap_pub < "$BENCH_WORK/wrap.key" > "$BENCH_WORK/wrap.ct"
bench_row_ops "wrap -e oaep (2048)" 20 \
    "pk-wrap -e -k $wrap_pub < $BENCH_WORK/wrap.key" \
    "openssl pkeyutl -encrypt -pubin -inkey $wrap_pub $wrap_oaep -in $BENCH_WORK/wrap.key"
bench_row_ops "wrap -d oaep (2048)" 20 \
    "pk-wrap -d -k $wrap_key < $BENCH_WORK/wrap.ct" \
    "openssl pkeyutl -decrypt -inkey $wrap_key $wrap_oaep -in $BENCH_WORK/wrap.ct"
bench_row_ops "wrap sign (2048)" 20 \
    "pk-wrap sign -k $wrap_key < $BENCH_WORK/wrap.key" \
    "openssl dgst -sha256 -sign $wrap_key $BENCH_WORK/wrap.key"
bench_row "wrap sign, whole input" "$RUNS" "$BENCH_INPUT" \
    "pk-wrap sign -k $wrap_key" "openssl dgst -sha256 -sign $wrap_key"
rm -f "$BENCH_WORK/wrap.key" "$BENCH_WORK/wrap.ct"
