# Raw vault requests for tests/vault-server.bats, built with printf so that
# the server tests do not depend on pk-xfer.  Every integer is
# little-endian; names are 255-byte NUL-padded fields (docs/vault.md).

# The response headers, as hex: version 3, code, payload size.
R1600=03400610000000	# registered, 16
R1601=03410600000000	# name taken
R1602=03420690000000	# AES key, 144
R1603=03430617010000	# file received, 279
R1604=03440610000000	# thanks, 16
R1605=03450690000000	# reconnect approved, 144
R1606=03460610000000	# reconnect denied, 16
R1607=03470600000000	# general server error
ZERO_ID=00000000000000000000000000000000

# untraced CMD ARGS...: runs CMD in a subshell without bats' DEBUG trap,
# which otherwise runs before each of the many printfs that build a request
# and makes an upload of a few hundred packets take seconds.
untraced() {
	(
		trap - DEBUG
		set +T
		"$@"
	)
}

vbyte() {
	local h
	printf -v h '\\x%02x' "$1"
	printf "$h"
}

vle16() {
	vbyte $(($1 & 255))
	vbyte $(($1 >> 8 & 255))
}

vle32() {
	vle16 $(($1 & 65535))
	vle16 $(($1 >> 16 & 65535))
}

# vhex HEX: the bytes the hex digits spell.
vhex() {
	local s=$1 out=
	while [ -n "$s" ]; do
		out+="\\x${s:0:2}"
		s=${s:2}
	done
	printf "$out"
}

# vzeros N: N NUL bytes (N <= 1024) from printf's "\0" escapes.
printf -v VZEROS '%1024s' ''
VZEROS=${VZEROS// /'\0'}
vzeros() {
	printf "${VZEROS:0:$(($1 * 2))}"
}

# vname NAME: NAME padded with NULs to 255 bytes (no NUL if it has 255).
vname() {
	local LC_ALL=C
	printf '%s' "$1"
	vzeros $((255 - ${#1}))
}

# vhdr ID_HEX CODE SIZE [VERSION]: a 23-byte request header.
vhdr() {
	vhex "$1"
	vbyte "${4:-3}"
	vle16 "$2"
	vle32 "$3"
}

# vreq ID_HEX CODE NAME: 825, 827, 900, 901 or 902.
vreq() {
	untraced vreq_ "$@"
}

vreq_() {
	vhdr "$1" "$2" 255
	vname "$3"
}

# vpubkey ID_HEX NAME SPKI_DER_FILE: 826.
vpubkey() {
	untraced vpubkey_ "$@"
}

vpubkey_() {
	vhdr "$1" 826 415
	vname "$2"
	cat "$3"
}

# vpacket ID_HEX NAME CONTENT_SIZE ORIG_SIZE NUMBER TOTAL: one 828 with
# an all-zero content area.
vpacket() {
	untraced vpacket_ "$@"
}

vpacket_() {
	vhdr "$1" 828 1291
	vle32 "$3"
	vle32 "$4"
	vle16 "$5"
	vle16 "$6"
	vname "$2"
	vzeros 1024
}

# vpackets ID_HEX NAME CIPHERTEXT ORIG_SIZE: every 828 of an upload, the
# last content area padded with NULs (one cat over all the pieces).
vpackets() {
	untraced vpackets_ "$@"
}

vpackets_() {
	local size total i c files=()
	size=$(stat -c %s "$3")
	total=$(((size + 1023) / 1024))
	split -b 1024 -a 5 -d "$3" chunk.
	for ((i = 0; i < total; i++)); do
		{
			vhdr "$1" 828 1291
			vle32 "$size"
			vle32 "$4"
			vle16 $((i & 65535))
			vle16 $((total & 65535))
			vname "$2"
		} > "head.$i"
		printf -v c 'chunk.%05d' "$i"
		files+=("head.$i" "$c")
	done
	vzeros $((total * 1024 - size)) > pad.bin
	cat "${files[@]}" pad.bin
	rm -f chunk.* head.* pad.bin
}

# hle32 N, hname NAME: the hex of vle32 N and of vname NAME.
hle32() {
	printf '%02x%02x%02x%02x\n' $(($1 & 255)) $(($1 >> 8 & 255)) \
	    $(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}

hname() {
	local LC_ALL=C i h=
	for ((i = 0; i < ${#1}; i++)); do
		printf -v h '%s%02x' "$h" "'${1:i:1}"
	done
	printf -v i '%*s' $((255 - ${#1})) ''
	printf '%s\n' "$h${i// /00}"
}

# want1603 ID_HEX NAME CIPHERTEXT PLAIN: the hex of the 1603 that answers
# an upload, with GNU cksum's CRC of PLAIN.
want1603() {
	local crc
	crc=$(cksum < "$4")
	printf '%s\n' "$R1603$1$(hle32 "$(stat -c %s "$3")")$(hname "$2")$(hle32 "${crc%% *}")"
}

# vsend FILE: sends FILE to the relay on one connection and prints what
# comes back until the relay closes it.
vsend() {
	socat -t 5 -T 20 STDIO "TCP:127.0.0.1:$RELAY_PORT" < "$1"
}

# hexof FILE: its bytes as one line of lower-case hex.
hexof() {
	local h
	h=$(od -An -v -tx1 "$1")
	h=${h//[$' \n']/}
	printf '%s\n' "$h"
}

# vround FILE: sends FILE and sets RESP to the answer as hex.
vround() {
	vsend "$1" > resp.bin
	RESP=$(hexof resp.bin)
}

# vregister NAME: 825; sets ID to the new client id (hex).
vregister() {
	vreq "$ZERO_ID" 825 "$1" > reg.bin
	vround reg.bin
	[ "${RESP:0:14}" = "$R1600" ] || {
		echo "register $1: $RESP" >&2
		return 1
	}
	ID=${RESP:14:32}
}

# vkey ID NAME: 826 with k.der; sets AES to the unwrapped key (hex),
# unwrapped by openssl with k.key.
vkey() {
	vpubkey "$1" "$2" "$KEYDIR/k.der" > key.bin
	vround key.bin
	[ "${RESP:0:14}" = "$R1602" ] || {
		echo "pubkey $2: $RESP" >&2
		return 1
	}
	vunwrap "${RESP:46:256}"
}

# vunwrap WRAPPED_HEX: sets AES to the OAEP-SHA1-unwrapped key (hex).
vunwrap() {
	vhex "$1" > wrapped.bin
	openssl pkeyutl -decrypt -inkey "$KEYDIR/k.key" -in wrapped.bin \
	    -out aes.bin -pkeyopt rsa_padding_mode:oaep \
	    -pkeyopt rsa_oaep_md:sha1 || return 1
	AES=$(hexof aes.bin)
}

# vencrypt PLAIN CIPHER: AES-256-CBC, zero IV, PKCS#7, with $AES.
vencrypt() {
	openssl enc -aes-256-cbc -K "$AES" -iv 00000000000000000000000000000000 \
	    -in "$1" -out "$2"
}
