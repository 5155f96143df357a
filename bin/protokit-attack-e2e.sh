# shellcheck shell=sh
# protokit-attack-e2e.sh: the victim of the e2e attacks (bin/attacks/
# e2e-*), sourced after protokit-attack.sh: the relay's e2e service on
# the chosen profile with its JSON trace (relay.json), its keys, and
# interactive clients (alice, bob) fed through FIFOs.  Each client has
# USER/client.key and USER/client.pass: faithful, a copy of the one
# client key pair every client holds (carol's too); hardened, USER's own
# key pair (PBES2), its public key at the relay (state/e2e-clients) and
# with the others (peers).
# hardened and addr are protokit-attack.sh's and relay_up's (SC2154).
# shellcheck disable=SC2154

# e2e_keys: the faithful keys: legacy PEM, one client key pair for all.
e2e_keys() {
	run 'pk-keygen rsa --legacy --pass-file state/e2e.pass -o state/e2e'
	run 'head -c 16 /dev/urandom | od -An -tx1 | tr -d " \n" > client.pass'
	run 'pk-keygen rsa --legacy --pass-file client.pass -o client'
	run 'cp client.pub state/e2e-client.pub'
	run 'for who in alice bob carol; do cp client.key client.pass $who/; done'
}

# e2e_hardened_keys: PBES2 key files, a key pair per client.
e2e_hardened_keys() {
	note "hardened: PBES2 key files, a key pair per client, no shared one"
	run 'mkdir -m 700 state/e2e-clients peers'
	run 'pk-keygen rsa --pass-file state/e2e.pass -o state/e2e'
	run 'for who in alice bob carol; do head -c 16 /dev/urandom | od -An -tx1 | tr -d " \n" > $who/client.pass && pk-keygen rsa --pass-file $who/client.pass -o $who/client && cp $who/client.pub state/e2e-clients/$who.pub && cp $who/client.pub peers/$who.pub; done'
}

# e2e_start: the passphrases, the server key, the clients' keys, the
# relay, whose trace of every frame goes to relay.json.
e2e_start() {
	step "the relay starts with its keys; every client gets its client key"
	run 'mkdir -m 700 state alice bob carol'
	run 'head -c 16 /dev/urandom | od -An -tx1 | tr -d " \n" > state/e2e.pass'
	if [ "$hardened" = 1 ]; then
		e2e_hardened_keys
	else
		e2e_keys
	fi
	relay_up e2e "pk-relay $(pk_hardened e2e)-d state --trace-json relay.json e2e@127.0.0.1:0 > relay.out 2> relay.log"
}

# e2e_join USER FD [ADDR]: USER's interactive client in the background,
# reading the FIFO USER/in held open on FD, connected to ADDR (default
# $addr, the relay); how the others address USER in USER_to: its
# address, or on the hardened profile its name.
e2e_join() {
	pk_who=''
	[ "$hardened" = 0 ] || pk_who="-u $1 --peers ../peers "
	run "mkfifo $1/in"
	bg "$1" "(cd $1 && pk-xfer $(pk_hardened)e2e $pk_who-k client.key --pass-file client.pass -s ../state/e2e.pub ${3:-\$addr} < in > out 2> err)"
	run "exec $2> $1/in"
	wait_until "grep -qs '^This client address: ' $1/out"
	if [ "$hardened" = 1 ]; then
		run "$1_to=$1"
	else
		run "$1_to=\$(sed -n 's/^This client address: //p' $1/out); echo \"$1 is \$$1_to\""
	fi
}

# e2e_say FD TARGET TEXT: the client on FD sends TEXT to TARGET.
e2e_say() {
	run "echo \"$2/$3\" >&$1"
}
