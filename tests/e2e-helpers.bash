# shellcheck shell=bash
# The hooks of the e2e test files (tests/e2e.bats, tests/trace-e2e.bats),
# whose interactive pk-xfer e2e clients read FIFOs held open by the test
# (helpers.bash e2e_join): the keys made once per file, ./state and no
# clients per test, the clients and the relay stopped after it.

setup_file() {
	e2e_keys
}

setup() {
	e2e_state
}

teardown() {
	stop_clients
	stop_relay
}
