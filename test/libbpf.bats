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

# run -j: every line of stdout must parse; the values are those of the processes the test exec'd.
@test "run -j: trace lines as JSON objects with comm, pid, cpu, flags, timestamp and message" {
	start_rawbpf run hello -j
	pids=$(exec_pids 3)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	jq -e . "$BATS_TEST_TMPDIR/out" >/dev/null
	[ "$(jq -c 'select(.type != "trace")' "$BATS_TEST_TMPDIR/out" | wc -l)" -eq 0 ]
	for pid in $pids; do
		[ "$(jq -c "select(.pid == $pid and .msg == \"Hello World!\")" "$BATS_TEST_TMPDIR/out" | wc -l)" -eq 2 ]
	done
	[ "$(jq -c 'select(.line)' "$BATS_TEST_TMPDIR/out" | wc -l)" -eq 0 ]
	jq -e '(.cpu | type) == "number" and (.ts | type) == "number" and (.flags | test("^[^ ]{4,5}$")) and
		(.comm | length) > 0' "$BATS_TEST_TMPDIR/out" >/dev/null
}

@test "run -j: the (tgid) column, and a message with quotes, backslashes and a tab" {
	start_rawbpf run hello -j
	opt="$TRACEFS/options/record-tgid"
	[ -f "$opt" ]
	old=$(cat "$opt")
	echo 1 >"$opt"
	msg=$(printf 'rawbpf "q" \\ \t end')
	pid=$(bash -c 'printf "%s" "$0" >'"$TRACEFS/trace_marker"'; echo $$' "$msg")
	echo "$old" >"$opt"
	stop_rawbpf INT
	jq -e . "$BATS_TEST_TMPDIR/out" >/dev/null
	line=$(jq -c "select(.pid == $pid and (.msg | startswith(\"rawbpf\")))" "$BATS_TEST_TMPDIR/out")
	[ -n "$line" ] || { cat "$BATS_TEST_TMPDIR/out"; false; }
	[ "$(echo "$line" | jq -r .msg)" = "$msg" ]
	[ "$(echo "$line" | jq -r .comm)" = bash ]
}

@test "run -j: buffer records decoded through BTF, map snapshots with keys and values" {
	start_rawbpf run hello-buffer -j
	pids=$(exec_pids 2)
	stop_rawbpf INT
	jq -e . "$BATS_TEST_TMPDIR/out" >/dev/null
	for pid in $pids; do
		[ "$(jq -c "select(.type == \"record\" and .map == \"output\" and .value.pid == $pid and
			.value.uid == 0 and .value.message == \"Hello World\" and (.value.command | length) > 0)" \
			"$BATS_TEST_TMPDIR/out" | wc -l)" -eq 2 ]
	done
	start_rawbpf run hello-map -j --interval=0.3
	pids=$(exec_pids 3)
	sleep 0.5
	stop_rawbpf INT
	jq -e . "$BATS_TEST_TMPDIR/out" >/dev/null
	# The count for uid 0 in the last snapshot covers at least the test's 6 execs.
	n=$(jq -s '[.[] | select(.type == "map" and .map == "counter_table")] | last | .entries[] |
		select(.key == 0) | .value' "$BATS_TEST_TMPDIR/out")
	[ "$n" -ge 6 ]
}
