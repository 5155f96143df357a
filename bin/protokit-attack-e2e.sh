# shellcheck shell=sh
# protokit-attack-e2e.sh: the victim of the e2e attacks (bin/attacks/
# e2e-*), sourced after protokit-attack.sh: the relay's e2e service on
# the chosen profile with its JSON trace (relay.json), its keys, and
# interactive clients (alice, bob) fed through FIFOs.  Faithful: one
# client key pair that every client holds (carol's copy is the one eve
# uses); hardened: a key pair per client.
# hardened and addr are protokit-attack.sh's and relay_up's (SC2154).
# shellcheck disable=SC2154

# e2e_start: the passphrases, the server key, the clients' keys, the
# relay, whose trace of every frame goes to relay.json.
e2e_start() {
	step "the relay starts with its keys; every client gets the client key"
	run 'mkdir -m 700 state alice bob carol'
	run 'head -c 16 /dev/urandom | od -An -tx1 | tr -d " \n" > state/e2e.pass'
	run 'pk-keygen rsa --legacy --pass-file state/e2e.pass -o state/e2e'
	run 'head -c 16 /dev/urandom | od -An -tx1 | tr -d " \n" > client.pass'
	run 'pk-keygen rsa --legacy --pass-file client.pass -o client'
	run 'cp client.pub state/e2e-client.pub'
	run 'for who in alice bob carol; do cp client.key client.pass $who/; done'
	relay_up e2e "pk-relay $(pk_hardened e2e)-d state --trace-json relay.json e2e@127.0.0.1:0 > relay.out 2> relay.log"
}

# e2e_join USER FD [ADDR]: USER's interactive client in the background,
# reading the FIFO USER/in held open on FD, connected to ADDR (default
# $addr, the relay); its address in USER_addr.
e2e_join() {
	run "mkfifo $1/in"
	bg "$1" "(cd $1 && pk-xfer $(pk_hardened)e2e -k client.key --pass-file client.pass -s ../state/e2e.pub ${3:-\$addr} < in > out 2> err)"
	run "exec $2> $1/in"
	wait_until "grep -qs '^This client address: ' $1/out"
	run "$1_addr=\$(sed -n 's/^This client address: //p' $1/out); echo \"$1 is \$$1_addr\""
}

# e2e_say FD TARGET TEXT: the client on FD sends TEXT to TARGET (an
# address, or on the hardened profile a name).
e2e_say() {
	run "echo \"$2/$3\" >&$1"
}
