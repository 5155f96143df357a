# pk-aes-cbc and pk-aes-cfb against openssl enc with the same key and IV,
# both directions, AES-128 and AES-256.  The pk tools read the key from a
# 0600 file; openssl takes it with -K, as it has no other way for a raw key.
aes_iv=000102030405060708090a0b0c0d0e0f
for aes_bits in 128 256; do
	aes_key=$(openssl rand -hex $((aes_bits / 8)))
	aes_keyfile="$BENCH_WORK/aes$aes_bits.key"
	(umask 077 && printf '%s\n' "$aes_key" > "$aes_keyfile")
	for aes_mode in cbc cfb; do
		aes_ct="$BENCH_WORK/input.aes-$aes_bits-$aes_mode"
		openssl enc -e -aes-$aes_bits-$aes_mode -K "$aes_key" \
		    -iv $aes_iv < "$BENCH_INPUT" > "$aes_ct"
		bench_row "aes-$aes_mode -e ($aes_bits)" "$RUNS" "$BENCH_INPUT" \
		    "pk-aes-$aes_mode -e -k $aes_keyfile -iv $aes_iv" \
		    "openssl enc -e -aes-$aes_bits-$aes_mode -K $aes_key -iv $aes_iv"
		bench_row "aes-$aes_mode -d ($aes_bits)" "$RUNS" "$aes_ct" \
		    "pk-aes-$aes_mode -d -k $aes_keyfile -iv $aes_iv" \
		    "openssl enc -d -aes-$aes_bits-$aes_mode -K $aes_key -iv $aes_iv"
		rm -f "$aes_ct"
	done
	rm -f "$aes_keyfile"
done
