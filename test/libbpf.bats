#!/usr/bin/env bats
# Running objects written for libbpf (issue 15), on this machine's real kernel (root): choosing
# programs by hand (--prog, --skip), going on without refused ones (--keep-going).

load helpers

setup() {
	need_root
}

teardown() {
	[ -n "${RB_PID:-}" ] && kill -KILL "$RB_PID" 2>/dev/null
	true
}

OBJ_CHOOSE="$TOBJ/choose.bpf.o"

@test "--prog runs only the named programs, a '?' one included" {
	start_rawbpf run "$OBJ_CHOOSE" --prog pick_a,pick_opt
	pids=$(exec_pids 2)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	[ "$(grep -c "attached to" "$BATS_TEST_TMPDIR/err")" -eq 2 ]
	each_pid_has 2 "pick a" $pids
	each_pid_has 2 "pick opt" $pids
	each_pid_has 0 "pick b" $pids
	nothing_left
}

@test "--skip runs all but the named programs" {
	start_rawbpf run "$OBJ_CHOOSE" --skip=pick_bad,pick_a
	pids=$(exec_pids 2)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	[ "$(grep -c "attached to" "$BATS_TEST_TMPDIR/err")" -eq 1 ]
	each_pid_has 2 "pick b" $pids
	each_pid_has 0 "pick a" $pids
	each_pid_has 0 "pick opt" $pids
	nothing_left
}

@test "without --keep-going a refused program ends the run: exit 4, its name and the log" {
	run "$RAWBPF" run "$OBJ_CHOOSE" --duration=1
	[ "$status" -eq 4 ]
	[[ "$output" == *"rawbpf: prog 'pick_bad': rejected by the verifier (Permission denied); its log follows"* ]]
	[[ "$output" != *"attached to"* ]]
	nothing_left
}

@test "--keep-going names the refused program and why, and runs the others" {
	start_rawbpf run "$OBJ_CHOOSE" --keep-going
	pids=$(exec_pids 2)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	grep -q "rawbpf: prog 'pick_bad': rejected by the verifier (Permission denied)" "$BATS_TEST_TMPDIR/err"
	grep -q "invalid mem access 'scalar'" "$BATS_TEST_TMPDIR/err"
	grep -q "rawbpf: --keep-going: running without prog 'pick_bad'" "$BATS_TEST_TMPDIR/err"
	[ "$(grep -c "attached to" "$BATS_TEST_TMPDIR/err")" -eq 2 ]
	each_pid_has 2 "pick a" $pids
	each_pid_has 2 "pick b" $pids
	nothing_left
}

@test "--keep-going with every program refused: the refusal's exit code" {
	run "$RAWBPF" run "$OBJ_CHOOSE" --keep-going --prog pick_bad --duration=1
	[ "$status" -eq 4 ]
	[[ "$output" == *"prog 'pick_bad': rejected by the verifier"* ]]
	nothing_left
}

@test "--prog and --skip: an unknown name is a usage error naming it; load honours them" {
	run "$RAWBPF" run "$OBJ_CHOOSE" --prog pick_a,nosuch
	[ "$status" -eq 2 ]
	[ "$output" = "rawbpf: --prog: no program 'nosuch' in choose.bpf.o" ]
	run "$RAWBPF" run "$OBJ_CHOOSE" --skip=
	[ "$status" -eq 2 ]
	run "$RAWBPF" load "$OBJ_CHOOSE" --skip pick_bad
	[ "$status" -eq 0 ]
	[[ "$output" == *"prog 'pick_a' (tracepoint/syscalls/sys_enter_execve, 12 instructions): accepted"* ]]
	[[ "$output" == *"prog 'pick_bad' (tp/syscalls/sys_enter_execve): skipped (not chosen by --prog/--skip)"* ]]
	nothing_left
}
