#!/usr/bin/env bats
# rawbpf under MDWE (memory-deny-write-execute, PR_SET_MDWE with PR_MDWE_REFUSE_EXEC_GAIN), as
# systemd's MemoryDenyWriteExecute=yes runs a service on 6.3+ kernels: the loader must never need
# memory that was writable to become executable. test/mdwe.c sets it, proves it is in force, and
# execs rawbpf.

load helpers

setup_file() {
	clang -O2 -Wall -Wextra -o "$BATS_FILE_TMPDIR/mdwe" "$BATS_TEST_DIRNAME/mdwe.c"
}

setup() {
	MDWE="$BATS_FILE_TMPDIR/mdwe"
	# 77: this kernel has no PR_SET_MDWE (before 6.3)
	"$MDWE" /bin/true || { [ $? -eq 77 ] && skip "this kernel has no PR_SET_MDWE (6.3+)"; false; }
}

@test "MDWE: --version works" {
	run "$MDWE" "$RAWBPF" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "rawbpf "*"($(uname -m))" ]]
}

@test "MDWE: the default job attaches, prints each execve and ends cleanly" {
	need_root
	"$MDWE" "$RAWBPF" --duration=3 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	RB_PID=$!
	for _ in $(seq 100); do
		grep -q "attached to" "$BATS_TEST_TMPDIR/err" && break
		kill -0 "$RB_PID" 2>/dev/null || break
		sleep 0.05
	done
	grep -q "attached to" "$BATS_TEST_TMPDIR/err" || { cat "$BATS_TEST_TMPDIR/err" >&2; false; }
	pids=$(exec_pids 2)
	RB_STATUS=0
	wait "$RB_PID" || RB_STATUS=$?
	[ "$RB_STATUS" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/err" >&2; false; }
	each_pid_has 2 "Hello World!" $pids
	nothing_left
}
