# shellcheck shell=sh
# protokit-attack-ca.sh: the victim of the ca attacks (bin/attacks/ca-*),
# sourced after protokit-attack.sh: the CA (pk-relay's ca service) on the
# chosen profile, its users (alice, bob, mallory: a password file, an
# RSA-1024 key and a certificate each, in a directory of their own), and
# the peer chat: bob listens, alice sends him lines through a pk-mitm of
# mallory's (or eve's) on the way, which records them (CHAT.json).
# hardened is protokit-attack.sh's, addr and the pids the lib's (SC2154).
# shellcheck disable=SC2154

# ca_start: the CA's key and root certificate, and the relay.
ca_start() {
	step "the CA starts (its key, its root certificate, pk-relay's ca service)"
	run 'mkdir -m 700 state alice bob mallory'
	run "printf '%s\\n' ca-lab-passphrase > state/ca.pass"
	run 'pk-keygen rsa --legacy --pass-file state/ca.pass -o state/ca > /dev/null'
	run 'pk-keygen selfsign -k state/ca.key --pass-file state/ca.pass -subj /CN=protokit-ca -o state/ca.crt'
	relay_up ca "pk-relay $(pk_hardened ca)-d state ca@127.0.0.1:0 > relay.out 2> relay.log"
}

# ca_user NAME PASSWORD [cert]: NAME signs up with PASSWORD (in
# NAME/NAME.pass); with cert, a key and the certificate the CA issues.
ca_user() {
	run "printf '%s\\n' '$2' > $1/$1.pass && pk-xfer $(pk_hardened)ca register -u $1 --pass-file $1/$1.pass \$addr && echo '$1 signed up'"
	[ -n "${3:-}" ] || return 0
	run "pk-keygen rsa -b 1024 --no-pass -o $1/$1 > /dev/null && pk-keygen csr -k $1/$1.key -subj /CN=$1 -o $1/$1.csr"
	run "pk-xfer $(pk_hardened)ca csr -u $1 --pass-file $1/$1.pass -i $1/$1.csr -o $1/$1.crt \$addr && echo \"$1's certificate: \$(openssl x509 -in $1/$1.crt -noout -subject)\""
}

# ca_listen: bob listens for the peer chat (his key), in the background.
ca_listen() {
	bg bob "pk-xfer $(pk_hardened)ca listen -k bob/bob.key > bob/listen.out 2>&1"
	wait_until "grep -qs '^listening on ' bob/listen.out"
	run "peer=\$(sed -n 's/^listening on //p' bob/listen.out); echo \"bob listens on \$peer\""
}

# ca_mitm WHO [OPTION...]: WHO's pk-mitm between alice and bob's
# listener, for one connection, recording WHO/chat.json, with OPTIONs
# (-k ...: the active attack).
ca_mitm() {
	pk_who=$1
	shift
	bg mitm "pk-mitm -p ca-chat --to \$peer -n 1 $* --trace-json $pk_who/chat.json > $pk_who/mitm.out 2> $pk_who/mitm.log"
	wait_until "grep -qs '^listening' $pk_who/mitm.out"
	run "maddr=\$(sed -n 's/^listening //p' $pk_who/mitm.out); echo \"$pk_who's pk-mitm on \$maddr\""
}

# ca_send: alice sends alice/messages.txt to bob (the CA's certificate of
# bob, checked against the root) through the pk-mitm, faithful under a
# chat password (hardened: a random key); then bob and the pk-mitm end
# (are stopped if alice failed).  alice_rc is her status.
ca_send() {
	pk_chat=''
	if [ "$hardened" = 0 ]; then
		run "printf '%s\\n' dragon > alice/chat.pass"
		pk_chat=' --chat-pass file:alice/chat.pass'
	fi
	run "alice_rc=0; pk-xfer $(pk_hardened)ca connect -u alice --pass-file alice/alice.pass --ca state/ca.crt --to bob$pk_chat \$addr \$maddr < alice/messages.txt 2>&1 || alice_rc=\$?; echo \"alice's status: \$alice_rc\""
	run '[ "$alice_rc" = 0 ] || kill $bob_pid $mitm_pid; wait $bob_pid || true; wait $mitm_pid || true; sed "s/^/bob: /" bob/listen.out'
	waited bob mitm
}
