# Output paths given to -o (pk-keygen, pk-xfer): a regular file is
# replaced through a temporary file and a rename; a character device or a
# FIFO is written into and never replaced (as openssl -out does);
# /dev/stdout and /dev/fd/N name the open descriptor; a symlink is followed,
# except where a private key is written (refused, exit 2).  No test passes
# -f with a path under /dev: a build without this fix would replace it.

load helpers

teardown() {
	if [ -n "${READER_PID:-}" ]; then
		kill "$READER_PID" 2> /dev/null || true
		wait "$READER_PID" 2> /dev/null || true
	fi
	stop_relay
}

# reader FIFO OUT: makes the FIFO and copies what comes through it to OUT
# in the background (READER_PID; teardown kills it if nothing came).
reader() {
	mkfifo "$1"
	cat "$1" > "$2" 3>&- &
	READER_PID=$!
}

# read_done FIFO: the FIFO is still one, and its reader got EOF.
read_done() {
	[ -p "$1" ]
	wait "$READER_PID"
	READER_PID=
}

# vault_keyed: a registered vault client in the current directory, with
# an RSA-1024 key whose public half the relay has (vk.key, aes.wrapped).
vault_keyed() {
	start_relay vault@127.0.0.1:0
	printf '127.0.0.1:%s\nalice\ndata.bin\n' "$RELAY_PORT" > transfer.info
	pk-xfer vault register > /dev/null
	pk-keygen rsa -b 1024 -e 17 --no-pass -o vk
	pk-xfer vault pubkey -k vk.key -o aes.wrapped
}

@test "output: pk-keygen aes -o /dev/stdout writes the key to a pipe or a file" {
	run -0 --separate-stderr pk-keygen aes -o /dev/stdout
	assert_output --regexp '^[0-9a-f]{64}$'
	[ "$stderr" = "" ]
	pk-keygen aes -b 128 -o /dev/stdout > k.hex
	[[ "$(< k.hex)" =~ ^[0-9a-f]{32}$ ]]
	pk-keygen aes -b 192 -o /dev/fd/5 5> k5.hex
	[[ "$(< k5.hex)" =~ ^[0-9a-f]{48}$ ]]
}

@test "output: a character device or FIFO given to pk-keygen -o is written into, with or without -f" {
	run -0 pk-keygen aes -o /dev/null
	assert_output ''
	[ -c /dev/null ]
	reader key.fifo got
	pk-keygen aes -o key.fifo
	read_done key.fifo
	[[ "$(< got)" =~ ^[0-9a-f]{64}$ ]]
	rm key.fifo
	reader key.fifo got
	pk-keygen aes -b 128 -f -o key.fifo
	read_done key.fifo
	[[ "$(< got)" =~ ^[0-9a-f]{32}$ ]]
	pk-keygen rsa -b 1024 --no-pass -o ca < /dev/null
	rm key.fifo
	reader key.fifo got
	pk-keygen selfsign -f -k ca.key -subj /CN=ca -o key.fifo
	read_done key.fifo
	openssl x509 -in got -noout -subject | grep -q 'CN *= *ca'
}

@test "output: pk-xfer -o into a FIFO or /dev/fd/N, which stay what they were" {
	vault_keyed
	reader w.fifo got
	run -0 pk-xfer vault reconnect -o w.fifo
	read_done w.fifo
	[ "$(wc -c < got)" -eq 128 ]
	pk-wrap -d --oaep-sha1 -k vk.key < got | wc -c | grep -qx 32
	pk-xfer vault reconnect -o /dev/fd/5 5> fd5.out
	[ "$(wc -c < fd5.out)" -eq 128 ]
}

@test "output: a private key is never written through a symlink: exit 2, the link and its target untouched" {
	echo precious > target
	ln -s target k.hex
	run -2 --separate-stderr pk-keygen aes -f -o k.hex
	[ "$stderr" = "pk-keygen: k.hex: is a symbolic link (a private key is never written through one)" ]
	[ -L k.hex ] && [ "$(< target)" = precious ]
	ln -s target k.key
	run -2 --separate-stderr pk-keygen rsa -b 1024 --no-pass -f -o k \
	    < /dev/null
	[ "$stderr" = "pk-keygen: k.key: is a symbolic link (a private key is never written through one)" ]
	[ -L k.key ] && [ "$(< target)" = precious ]
	[ ! -e k.pub ]
	ln -s /dev/null n.hex
	run -2 --separate-stderr pk-keygen aes -o n.hex
	[ "$stderr" = "pk-keygen: n.hex: is a symbolic link (a private key is never written through one)" ]
}

@test "output: pk-xfer writes me.info and priv.key never through a symlink" {
	vault_keyed
	cp me.info me.saved
	mv priv.key priv.saved
	ln -s priv.saved priv.key
	run -2 --separate-stderr pk-xfer vault pubkey -k vk.key -o aes.wrapped
	[ "$stderr" = "pk-xfer: priv.key: is a symbolic link (a private key is never written through one)" ]
	[ -L priv.key ]
	rm priv.key
	mv me.info me.real
	ln -s me.real me.info
	run -2 --separate-stderr pk-xfer vault pubkey -k vk.key -o aes.wrapped
	[ "$stderr" = "pk-xfer: me.info: is a symbolic link (a private key is never written through one)" ]
	[ -L me.info ]
	cmp me.real me.saved
}

@test "output: a symlink to a public output is followed; its target is replaced by a rename, the link stays" {
	pk-keygen rsa -b 1024 --no-pass -o k < /dev/null
	echo old > cert.pem
	ln cert.pem old.pem
	ln -s cert.pem link.pem
	pk-keygen selfsign -f -k k.key -subj /CN=x -o link.pem
	[ -L link.pem ]
	[ "$(< old.pem)" = old ]
	openssl x509 -in cert.pem -noout -subject | grep -q 'CN *= *x'
	[ "$(stat -c %a cert.pem)" = 644 ]
	[ -z "$(find . -name '.pk-*')" ]
	run -2 --separate-stderr pk-keygen selfsign -k k.key -subj /CN=y \
	    -o link.pem
	[ "$stderr" = "pk-keygen: link.pem: File exists" ]
	vault_keyed
	echo old > w.bin
	ln -s w.bin w.link
	pk-xfer vault reconnect -o w.link
	[ -L w.link ] && [ "$(wc -c < w.bin)" -eq 128 ]
	[ "$(stat -c %a w.bin)" = 600 ]
}
