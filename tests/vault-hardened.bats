# The profile switch (pk-relay --hardened SERVICE, pk-xfer --hardened,
# protokit run NAME --hardened) and vault's hardened profile: the whole
# run, its trace, a mismatch either way, one failure reply for every
# decryption error, and a reconnect that proves the private key.

load helpers

teardown() {
	stop_relay
}

# The protocols without a hardened profile yet (chat, e2e and ca get one
# in issue 15): pk-relay, pk-xfer and the orchestrator each refuse it in
# one line.  echo and e2e-upload are not protocols and never have one.
@test "profiles: a protocol without a hardened profile refuses --hardened in one line, exit 2" {
	run -2 pk-relay --hardened echo echo@127.0.0.1:0
	assert_output "pk-relay: --hardened echo: echo has no hardened profile yet"
	run -2 pk-relay --hardened nosuch vault@127.0.0.1:0
	assert_output "pk-relay: --hardened nosuch: no such service"
	run -2 pk-relay --hardened
	assert_line -n 0 "pk-relay: option '--hardened' requires an argument"
	run -2 pk-xfer --hardened chat -u alice
	assert_output "pk-xfer: --hardened: chat has no hardened profile yet"
	run -2 pk-xfer chat --hardened -u alice
	assert_output "pk-xfer: --hardened: chat has no hardened profile yet"
	run -2 protokit run chat --hardened
	assert_output "protokit-chat: --hardened: chat has no hardened profile yet"
	run -2 protokit demo --hardened
	assert_line -n 0 --partial "protokit: --hardened: one protocol at a time"
}

@test "profiles: --hardened is in pk-relay's, pk-xfer's and protokit's --help" {
	run -0 pk-relay --help
	assert_line --regexp '^  --hardened service  serve service on its hardened profile'
	run -0 pk-xfer --help
	assert_line --regexp '^  --hardened         speak the protocol'
	run -0 protokit --help
	assert_line --regexp '^  --hardened  \(run only\)'
}
