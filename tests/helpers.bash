# Loaded by every tests/*.bats: the built tools first on PATH, bats-support
# and bats-assert, vectors and fixtures, and start_relay for server tests.

bats_require_minimum_version 1.5.0

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

PK_ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
PATH="$PK_ROOT/bin:$PATH"
VECTORS="$PK_ROOT/tests/vectors"	# copied from ../shared/vectors (MCT files left out)
DATA="$PK_ROOT/tests/data"
export PK_ROOT PATH VECTORS DATA

# Every test works in its own directory.
cd "$BATS_TEST_TMPDIR" || exit 1

# make_file NAME SIZE: SIZE pseudo-random bytes (repeatable per size).
make_file() {
	openssl enc -aes-128-ctr -K 000102030405060708090a0b0c0d0e0f \
	    -iv 00000000000000000000000000000000 -nosalt -in /dev/zero 2>/dev/null |
	    head -c "$2" > "$1"
}
