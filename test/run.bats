#!/usr/bin/env bats
# rawbpf on this machine's real kernel (root): the default job, signals, attach modes, loading
# and rejections, privileges. This kernel has no kprobes, so kprobe programs take the syscall
# tracepoint; the kprobe paths themselves are proven in the QEMU kernel matrix (make vmtest).

load helpers

setup() {
	need_root
	WE_MOUNTED=
}

teardown() {
	[ -n "${RB_PID:-}" ] && kill -KILL "$RB_PID" 2>/dev/null
	[ -n "${CAT_PID:-}" ] && kill "$CAT_PID" 2>/dev/null && wait "$CAT_PID" 2>/dev/null
	[ -n "$WE_MOUNTED" ] && umount "$TRACEFS" 2>/dev/null
	true
}

mount_tracefs() {
	tracefs_mounted || { mount -t tracefs tracefs "$TRACEFS" && WE_MOUNTED=1; }
}

@test "default job: one Hello World line per execve of the test's processes" {
	start_rawbpf
	pids=$(exec_pids 3)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	each_pid_has 2 "Hello World!" $pids
	no_programs_left
}

@test "default job here announces the tracepoint fallback on stderr, with the reason" {
	start_rawbpf
	stop_rawbpf TERM
	[ "$RB_STATUS" -eq 0 ]
	[ "$(grep -c notice "$BATS_TEST_TMPDIR/err")" -eq 1 ]
	grep -q "rawbpf: notice: this kernel has no kprobes (no kprobe PMU, no kprobe_events): attaching 'hello' to the tracepoint syscalls/sys_enter_execve" "$BATS_TEST_TMPDIR/err"
}

@test "--duration ends the run by itself, exit 0, nothing left" {
	run timeout 30 "$RAWBPF" --duration=1
	[ "$status" -eq 0 ]
	[[ "$output" == *"attached to tracepoint syscalls/sys_enter_execve"* ]]
	no_programs_left
}

@test "SIGINT, SIGTERM and SIGHUP exit 0 and leave nothing attached or mounted" {
	for sig in INT TERM HUP; do
		tracefs_mounted && { echo "tracefs mounted before the run"; false; }
		start_rawbpf
		stop_rawbpf $sig
		[ "$RB_STATUS" -eq 0 ] || { echo "SIG$sig: status $RB_STATUS"; false; }
		no_programs_left
		! tracefs_mounted
	done
}

@test "tracefs not mounted at start: rawbpf mounts it, works, and unmounts it" {
	tracefs_mounted && skip "tracefs is mounted on this machine"
	start_rawbpf
	tracefs_mounted
	pids=$(exec_pids 1)
	stop_rawbpf INT
	each_pid_has 2 "Hello World!" $pids
	! tracefs_mounted
}

@test "tracefs already mounted: rawbpf uses it and leaves it mounted" {
	mount_tracefs
	start_rawbpf
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	tracefs_mounted
}

@test "lines left unread by earlier runs are not shown; new ones are" {
	mount_tracefs
	echo "rawbpf-test-old-line-$$" >"$TRACEFS/trace_marker"
	start_rawbpf
	echo "rawbpf-test-new-line-$$" >"$TRACEFS/trace_marker"
	pids=$(exec_pids 1)
	stop_rawbpf INT
	! grep -q "rawbpf-test-old-line-$$" "$BATS_TEST_TMPDIR/out"
	grep -q "rawbpf-test-new-line-$$" "$BATS_TEST_TMPDIR/out"
	each_pid_has 2 "Hello World!" $pids
}

@test "a second reader gets a clear trace-pipe-busy error and loads nothing" {
	mount_tracefs
	cat "$TRACEFS/trace_pipe" >/dev/null &
	CAT_PID=$!
	sleep 0.3
	run "$RAWBPF" --duration=1
	[ "$status" -eq 1 ]
	[[ "$output" == *"open $TRACEFS/trace_pipe: Device or resource busy"* ]]
	[[ "$output" == *"one reader at a time"* ]]
	[[ "$output" != *"attached"* ]]
	no_programs_left
}

@test "stdout closed early (| head -n 1): rawbpf ends cleanly" {
	( "$RAWBPF" 2>"$BATS_TEST_TMPDIR/err" | head -n 1 >"$BATS_TEST_TMPDIR/out"; echo "${PIPESTATUS[0]}" >"$BATS_TEST_TMPDIR/status" ) &
	for _ in $(seq 200); do
		[ -s "$BATS_TEST_TMPDIR/status" ] && break
		/bin/true
		sleep 0.05
	done
	[ "$(cat "$BATS_TEST_TMPDIR/status")" -eq 0 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 1 ]
	grep -q "Hello World!" "$BATS_TEST_TMPDIR/out"
	no_programs_left
}

@test "--attach=kprobe fails clearly: this kernel has no kprobes" {
	run "$RAWBPF" --attach=kprobe --duration=1
	[ "$status" -eq 1 ]
	[[ "$output" == *"rawbpf: prog 'hello': --attach=kprobe: this kernel has no kprobe PMU (/sys/bus/event_source/devices/kprobe is missing)"* ]]
	[[ "$output" == *"hint: kprobes are not in this kernel"*"--attach=tracepoint"* ]]
	no_programs_left
	! tracefs_mounted
}

@test "--attach=kprobe-legacy fails clearly: no kprobe_events" {
	run "$RAWBPF" --attach=kprobe-legacy --duration=1
	[ "$status" -eq 1 ]
	[[ "$output" == *"--attach=kprobe-legacy: /sys/kernel/tracing/kprobe_events does not exist"* ]]
	no_programs_left
}

@test "--attach=tracepoint takes the tracepoint without a fallback notice" {
	start_rawbpf --attach=tracepoint
	pids=$(exec_pids 2)
	stop_rawbpf TERM
	[ "$RB_STATUS" -eq 0 ]
	! grep -q notice "$BATS_TEST_TMPDIR/err"
	each_pid_has 2 "Hello World!" $pids
}

@test "a kprobe on a non-syscall function fails clearly where there are no kprobes" {
	run "$RAWBPF" run "$TOBJ/kfunc.bpf.o" --duration=1
	[ "$status" -eq 1 ]
	[[ "$output" == *"prog 'on_nanosleep': attach to do_nanosleep: this kernel has no kprobes"* ]]
	no_programs_left
}

@test "run attaches every program of an object; '?' sections stay unloaded" {
	start_rawbpf run "$TOBJ/two.bpf.o"
	pids=$(exec_pids 1)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	[ "$(grep -c "attached to" "$BATS_TEST_TMPDIR/err")" -eq 2 ]
	each_pid_has 2 "tp saw execve" $pids
	each_pid_has 2 "ksyscall saw execve" $pids
	! grep -q "must not appear" "$BATS_TEST_TMPDIR/out"
	no_programs_left
}

@test "load: accepted programs are reported and released" {
	run "$RAWBPF" load hello
	[ "$status" -eq 0 ]
	[ "$output" = "prog 'hello' (ksyscall/execve, 13 instructions): accepted by the verifier" ]
	no_programs_left
}

@test "load: a verifier error shows the log between markers, exit 4" {
	run "$RAWBPF" load "$TOBJ/verifier_error.bpf.o"
	[ "$status" -eq 4 ]
	[[ "$output" == *"rawbpf: prog 'bad_deref': rejected by the verifier (Permission denied); its log follows"* ]]
	[[ "$output" == *"-- BEGIN verifier log for prog 'bad_deref' --"*"invalid mem access 'scalar'"*"-- END verifier log --"* ]]
	[[ "$output" == *"prog 'bad_deref' (tp/syscalls/sys_enter_execve, 3 instructions): rejected"* ]]
	no_programs_left
}

@test "run of a rejected program exits 4 and leaves nothing" {
	run "$RAWBPF" run "$TOBJ/verifier_error.bpf.o" --duration=1
	[ "$status" -eq 4 ]
	[[ "$output" == *"-- END verifier log --"* ]]
	no_programs_left
	! tracefs_mounted
}

@test "a GPL-only helper under a non-GPL license gets a hint" {
	run "$RAWBPF" load "$TOBJ/nongpl.bpf.o"
	[ "$status" -eq 4 ]
	[[ "$output" == *"cannot call GPL-restricted function from non-GPL compatible program"* ]]
	[[ "$output" == *"hint: the license \"Proprietary\" is not GPL-compatible"* ]]
}

@test "without capabilities: a clear privilege error, exit 1" {
	mount_tracefs
	run setpriv --inh-caps=-all --bounding-set=-all "$RAWBPF" --duration=1
	[ "$status" -eq 1 ]
	[[ "$output" == *"rawbpf: prog 'hello': load: Operation not permitted"* ]]
	[[ "$output" == *"hint: loading BPF programs needs root (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)"* ]]
	no_programs_left
}

@test "without capabilities and without tracefs: the mount is refused clearly" {
	tracefs_mounted && skip "tracefs is mounted on this machine"
	run setpriv --inh-caps=-all --bounding-set=-all "$RAWBPF" --duration=1
	[ "$status" -eq 1 ]
	[[ "$output" == *"mount tracefs on /sys/kernel/tracing: Operation not permitted"* ]]
	[[ "$output" == *"hint: mounting needs CAP_SYS_ADMIN"* ]]
}

@test "as an ordinary user: trace_pipe is refused clearly" {
	mount_tracefs
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$RAWBPF" --duration=1
	[ "$status" -eq 1 ]
	[[ "$output" == *"trace_pipe: Permission denied"* ]]
	[[ "$output" == *"hint: reading trace_pipe needs root"* ]]
}
