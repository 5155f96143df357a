#!/bin/bash
# Guessing a secret, side by side (docs/labs/pem-guess.md, issue 15):
# guesses per second of pk-attack pem-guess against the legacy PEM key
# file of seed 002 (EVP_BytesToKey: MD5, one iteration) and against
# protokit's default PBES2 PKCS#8 file (PBKDF2-HMAC-SHA256 with the real
# 600 000 rounds: a few guesses suffice), and of pk-attack ca-guess
# against a live faithful ca relay's sign-in (online, one connection per
# guess, GUESS_JOBS at once).  Each attack finds the secret, last in its
# list, and the rate is the one it prints.  The ratio is the legacy
# PEM's rate over the row's: how many times fewer guesses a second.
#   bench/guess.sh         its own table
#   bench/run.sh           sources it: one row per target in its table
#                          (protokit: this row's rate; peer: the legacy
#                          PEM's; ratio: this / legacy)
# Knobs: GUESS_LEGACY (200000 words), GUESS_PBES2 (6), GUESS_CA (300),
# GUESS_JOBS (4).
set -eu
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PATH="$PWD/bin:$PATH"
. bench/lib.sh
guess_dir="${BENCH_WORK:-$PWD/bench/work}/guess"
rm -rf "$guess_dir"
mkdir -p "$guess_dir/state"

# guess_words N WORD: N - 1 wrong words, then WORD, in words.N.
guess_words() {
	{ seq -f 'guess%g' 1 $(($1 - 1)); printf '%s\n' "$2"; } \
	    > "$guess_dir/words.$1"
}

# guess_rate CMD: runs CMD, which must succeed; its rate (the number
# before "guesses per second" on stderr) in GUESS_RATE.
guess_rate() {
	eval "$1" > "$guess_dir/out" 2> "$guess_dir/err" ||
	    { echo "bench: failed: $1" >&2; cat "$guess_dir/err" >&2; exit 2; }
	GUESS_RATE=$(sed -n 's/.* \([0-9.]*\) guesses per second$/\1/p' \
	    "$guess_dir/err" | tail -n 1)
	[ -n "$GUESS_RATE" ] || { echo "bench: no rate: $1" >&2; exit 2; }
}

# The key files, under one passphrase.
printf 'sunshine1987' > "$guess_dir/pass"
pk-keygen rsa --legacy --pass-file "$guess_dir/pass" -o "$guess_dir/legacy"
pk-keygen rsa --pass-file "$guess_dir/pass" -o "$guess_dir/pbes2"
n_legacy=${GUESS_LEGACY:-200000} n_pbes2=${GUESS_PBES2:-6}
guess_words "$n_legacy" sunshine1987
guess_words "$n_pbes2" sunshine1987
guess_rate "pk-attack pem-guess -w $guess_dir/words.$n_legacy $guess_dir/legacy.key"
legacy=$GUESS_RATE
guess_rate "pk-attack pem-guess --budget 86400 -w $guess_dir/words.$n_pbes2 $guess_dir/pbes2.key"
pbes2=$GUESS_RATE

# A faithful CA, bob signed up with the last word of the list.
n_ca=${GUESS_CA:-300}
printf 'ca-bench\n' > "$guess_dir/state/ca.pass"
pk-keygen rsa --legacy --pass-file "$guess_dir/state/ca.pass" \
    -o "$guess_dir/state/ca" > /dev/null
pk-keygen selfsign -k "$guess_dir/state/ca.key" \
    --pass-file "$guess_dir/state/ca.pass" -subj /CN=bench-ca \
    -o "$guess_dir/state/ca.crt"
bench_relay "$guess_dir" ca
guess_relay=$RELAY_PID ca_addr=$RELAY_ADDR
trap 'kill "$guess_relay" 2> /dev/null' EXIT
printf 'letmein2025\n' > "$guess_dir/bob.pass"
pk-xfer ca register -u bob --pass-file "$guess_dir/bob.pass" "$ca_addr" \
    > /dev/null
guess_words "$n_ca" letmein2025
guess_rate "pk-attack ca-guess -j ${GUESS_JOBS:-4} -u bob -w $guess_dir/words.$n_ca $ca_addr"
ca=$GUESS_RATE
kill "$guess_relay"
wait "$guess_relay" || true
trap - EXIT
rm -rf "$guess_dir"

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	echo "| target | guesses | guesses/s | legacy PEM / this |"
	echo "|---|---|---|---|"
	awk -v l="$legacy" -v p="$pbes2" -v c="$ca" -v nl="$n_legacy" \
	    -v np="$n_pbes2" -v nc="$n_ca" 'BEGIN {
	    printf "| legacy PEM key file (MD5, 1 iteration), offline | %d | %.1f | 1 |\n", nl, l
	    printf "| PBES2 PKCS#8 key file (PBKDF2, 600000 rounds), offline | %d | %.1f | %.0f |\n", np, p, l / p
	    printf "| ca sign-in, online (faithful relay) | %d | %.1f | %.0f |\n", nc, c, l / c }'
else
	awk -v l="$legacy" -v p="$pbes2" -v c="$ca" 'BEGIN {
	    printf "| guesses: PBES2 PKCS#8 (600000 rounds) vs legacy PEM, offline | %.1f guesses/s | %.0f guesses/s | %.6f |\n", p, l, p / l
	    printf "| guesses: ca sign-in online vs legacy PEM offline | %.1f guesses/s | %.0f guesses/s | %.4f |\n", c, l, c / l }'
fi
