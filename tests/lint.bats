#!/usr/bin/env bats
# make lint (mk/lint.sh) on a small git tree of its own: names each C file
# clang-format would change and each shellcheck finding, a bats `! cmd`
# in the middle of a test (SC2314) among them; exit 1 then, 0 when clean.

load helpers

setup() {
	command -v shellcheck > /dev/null ||
	    skip "make lint needs shellcheck (mk/deps.sh installs it)"
	command -v clang-format > /dev/null ||
	    skip "make lint needs clang-format (mk/deps.sh installs it)"
	cd "$BATS_TEST_TMPDIR" || return
	mkdir mk tests
	cp "$PK_ROOT/.clang-format" .
	cp "$PK_ROOT/mk/lint.sh" mk/
	printf 'int\nmain(void)\n{\n\treturn 0;\n}\n' > ok.c
	printf '@test "t" {\n\trun -1 false\n\ttrue\n}\n' > tests/t.bats
	git init -q
	git add -A
}

@test "lint: a clean tree passes" {
	run -0 mk/lint.sh
	assert_output 'lint: clang-format: 0 of 1 C files differ'
}

@test "lint: a bats \`! cmd\` in the middle of a test is named (SC2314)" {
	printf '@test "u" {\n\t! true\n\ttrue\n}\n' > tests/u.bats
	git add tests/u.bats
	run -1 mk/lint.sh
	assert_line 'In tests/u.bats line 2:'
	assert_line --partial 'SC2314 (error): In Bats, ! does not cause a test failure.'
	assert_line 'lint: shellcheck: the findings above'
}

@test "lint: a C file off .clang-format is named" {
	printf 'int main(void) { return 0; }\n' > bad.c
	git add bad.c
	run -1 mk/lint.sh
	assert_line 'lint: bad.c: differs from .clang-format (clang-format -i bad.c)'
	assert_line 'lint: clang-format: 1 of 2 C files differ'
}
