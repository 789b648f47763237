#!/usr/bin/env bats
# rawbpf on this machine's real kernel (root): the default job, signals, attach modes, loading
# and rejections, privileges. Each test finds out what the kernel offers (kprobe PMU,
# kprobe_events, tracefs mounted or not) and expects what rawbpf must do there: the PMU path
# where there are kprobes, the syscall tracepoint where there are none. make vmtest runs this
# suite again on a Debian kernel with kprobes.

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

# Where the default job must attach on this kernel, as rawbpf announces it: the kprobe PMU, the
# legacy kprobe_events (event named after pid $2), or the execve tracepoint with a notice saying
# why. $1: rawbpf's stderr.
expect_default_attach() {
	local fn
	fn=$(execve_fn)
	if has_kprobe_pmu; then
		grep -qxF "rawbpf: prog 'hello': attached to kprobe $fn (kprobe PMU)" "$1"
		! grep -q notice "$1" || false
	elif has_kprobe_events; then
		grep -qxF "rawbpf: notice: no kprobe PMU in this kernel: using the legacy $TRACEFS/kprobe_events" "$1"
		grep -qxF "rawbpf: prog 'hello': attached to kprobe $fn (kprobe_events: rawbpf/rawbpf_${2}_0)" "$1"
	else
		[ "$(grep -c notice "$1")" -eq 1 ]
		grep -qxF "rawbpf: notice: this kernel has no kprobes (no kprobe PMU, no kprobe_events): attaching 'hello' to the tracepoint syscalls/sys_enter_execve instead, as a tracepoint program" "$1"
		grep -qxF "rawbpf: prog 'hello': attached to tracepoint syscalls/sys_enter_execve" "$1"
	fi
}

# Runs the bash script on stdin in a private mount namespace without tracefs, with this file's
# helpers; its output in $output, its status in $status.
run_without_tracefs() {
	cat >"$BATS_TEST_TMPDIR/ns.sh"
	{ declare -p ROOT RAWBPF TRACEFS TOBJ BATS_TEST_TMPDIR; declare -f; } >"$BATS_TEST_TMPDIR/env.sh"
	run without_tracefs bash -c '. "$0" && set -u && . "$1"' "$BATS_TEST_TMPDIR/env.sh" "$BATS_TEST_TMPDIR/ns.sh"
	echo "$output"
}

@test "default job: one Hello World line per execve of the test's processes" {
	start_rawbpf
	pids=$(exec_pids 3)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	each_pid_has 2 "Hello World!" $pids
	nothing_left
}

@test "default job announces where it attached: kprobe PMU, else kprobe_events, else the tracepoint with the reason" {
	start_rawbpf
	stop_rawbpf TERM
	[ "$RB_STATUS" -eq 0 ]
	cat "$BATS_TEST_TMPDIR/err"
	expect_default_attach "$BATS_TEST_TMPDIR/err" "$RB_PID"
	nothing_left
}

@test "--duration ends the run by itself, exit 0, nothing left" {
	timeout 30 "$RAWBPF" --duration=1 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	wait $pid
	expect_default_attach "$BATS_TEST_TMPDIR/err" "$pid"
	nothing_left
}

@test "SIGINT, SIGTERM and SIGHUP exit 0 and leave nothing attached, tracefs as it was" {
	for sig in INT TERM HUP; do
		was=$(tracefs_mounted && echo yes || echo no)
		start_rawbpf
		stop_rawbpf $sig
		[ "$RB_STATUS" -eq 0 ] || { echo "SIG$sig: status $RB_STATUS"; false; }
		nothing_left
		[ "$(tracefs_mounted && echo yes || echo no)" = "$was" ]
	done
}

# The case of a host that never mounted tracefs, on any host: in a private mount namespace
# where it is unmounted. rawbpf mounts it, works, and unmounts it, whatever stops it.
@test "tracefs not mounted at start: rawbpf mounts it, works, and unmounts it (SIGINT, SIGTERM, SIGHUP)" {
	run_without_tracefs <<'EOF'
for sig in INT TERM HUP; do
	! tracefs_mounted || { echo "tracefs mounted before the run"; exit 1; }
	start_rawbpf || exit 1
	tracefs_mounted || { echo "SIG$sig: rawbpf did not mount tracefs"; exit 1; }
	pids=$(exec_pids 1)
	stop_rawbpf $sig
	[ "$RB_STATUS" -eq 0 ] || { echo "SIG$sig: status $RB_STATUS"; exit 1; }
	each_pid_has 2 "Hello World!" $pids || exit 1
	! tracefs_mounted || { echo "SIG$sig: tracefs left mounted"; exit 1; }
done
echo "mounted and unmounted by rawbpf, 3 times"
EOF
	[ "$status" -eq 0 ]
	[[ "$output" == *"mounted and unmounted by rawbpf, 3 times" ]]
	nothing_left
}

# As in an initramfs: /sys itself not mounted (unmounted in a private mount namespace).
@test "neither sysfs nor tracefs mounted: rawbpf mounts both, works, and unmounts both" {
	run unshare -m --propagation private bash -c 'umount -R /sys || exit 99
		[ "$(stat -f -c %T /sys)" != sysfs ] || exit 98
		"$0" --duration=1 --explain >"$1" 2>&1; echo "exit $?"; echo "after: $(stat -f -c %T /sys)"' \
		"$RAWBPF" "$BATS_TEST_TMPDIR/rb"
	cat "$BATS_TEST_TMPDIR/rb"
	echo "$output"
	[ "${lines[0]}" = "exit 0" ]
	[ "${lines[1]}" != "after: sysfs" ]
	grep -q '^explain: mount("sysfs", "/sys", "sysfs") = 0' "$BATS_TEST_TMPDIR/rb"
	grep -q '^explain: umount("/sys/kernel/tracing") = 0' "$BATS_TEST_TMPDIR/rb"
	grep -q '^explain: umount("/sys") = 0' "$BATS_TEST_TMPDIR/rb"
	grep -q "^rawbpf: prog 'hello': attached to " "$BATS_TEST_TMPDIR/rb"
	nothing_left
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
	! grep -q "rawbpf-test-old-line-$$" "$BATS_TEST_TMPDIR/out" || false
	# The raw reader (test/traceraw.bats) cannot format a trace_marker line: it says so and reads
	# trace_pipe from then on.
	grep -q "rawbpf-test-new-line-$$" "$BATS_TEST_TMPDIR/out" ||
		grep -q "^rawbpf: notice: 1 events other than bpf_trace_printk in trace_pipe_raw" "$BATS_TEST_TMPDIR/err"
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
	nothing_left
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
	nothing_left
}

@test "--attach=kprobe: the kprobe PMU where there is one, else a clear error" {
	was=$(tracefs_mounted && echo yes || echo no)
	if has_kprobe_pmu; then
		start_rawbpf --attach=kprobe
		pids=$(exec_pids 2)
		stop_rawbpf INT
		[ "$RB_STATUS" -eq 0 ]
		grep -qxF "rawbpf: prog 'hello': attached to kprobe $(execve_fn) (kprobe PMU)" "$BATS_TEST_TMPDIR/err"
		each_pid_has 2 "Hello World!" $pids
	else
		run "$RAWBPF" --attach=kprobe --duration=1
		[ "$status" -eq 1 ]
		[[ "$output" == *"rawbpf: prog 'hello': --attach=kprobe: this kernel has no kprobe PMU (/sys/bus/event_source/devices/kprobe is missing)"* ]]
		[[ "$output" == *"hint: kprobes are not in this kernel"*"--attach=tracepoint"* ]]
	fi
	nothing_left
	[ "$(tracefs_mounted && echo yes || echo no)" = "$was" ]
}

# The legacy path's event exists while rawbpf runs, named after its pid, and is gone after.
@test "--attach=kprobe-legacy: a kprobe_events entry named after the pid while running, gone after; else a clear error" {
	mount_tracefs
	if has_kprobe_events; then
		start_rawbpf --attach=kprobe-legacy
		during=$(cat "$TRACEFS/kprobe_events")
		pids=$(exec_pids 2)
		stop_rawbpf TERM
		[ "$RB_STATUS" -eq 0 ]
		echo "during: $during"
		grep -qx "p:rawbpf/rawbpf_${RB_PID}_0 $(execve_fn)" <<<"$during"
		grep -qxF "rawbpf: prog 'hello': attached to kprobe $(execve_fn) (kprobe_events: rawbpf/rawbpf_${RB_PID}_0)" "$BATS_TEST_TMPDIR/err"
		each_pid_has 2 "Hello World!" $pids
		! grep -q "rawbpf_${RB_PID}_" "$TRACEFS/kprobe_events" || false
	else
		run "$RAWBPF" --attach=kprobe-legacy --duration=1
		[ "$status" -eq 1 ]
		[[ "$output" == *"--attach=kprobe-legacy: /sys/kernel/tracing/kprobe_events does not exist"* ]]
	fi
	nothing_left
}

@test "--attach=tracepoint takes the tracepoint without a fallback notice" {
	start_rawbpf --attach=tracepoint
	pids=$(exec_pids 2)
	stop_rawbpf TERM
	[ "$RB_STATUS" -eq 0 ]
	! grep -q notice "$BATS_TEST_TMPDIR/err" || false
	each_pid_has 2 "Hello World!" $pids
}

@test "a kprobe on a non-syscall function: attached where there are kprobes, else a clear error" {
	if has_kprobes; then
		start_rawbpf run "$TOBJ/kfunc.bpf.o"
		sleep 0.01
		stop_rawbpf INT
		[ "$RB_STATUS" -eq 0 ]
		grep -Eq "^rawbpf: prog 'on_nanosleep': attached to kprobe do_nanosleep \((kprobe PMU|kprobe_events: rawbpf/rawbpf_${RB_PID}_0)\)$" "$BATS_TEST_TMPDIR/err"
		grep -q 'bpf_trace_printk: nanosleep$' "$BATS_TEST_TMPDIR/out"
	else
		run "$RAWBPF" run "$TOBJ/kfunc.bpf.o" --duration=1
		[ "$status" -eq 1 ]
		[[ "$output" == *"prog 'on_nanosleep': attach to do_nanosleep: this kernel has no kprobes"* ]]
	fi
	nothing_left
}

@test "run attaches every program of an object; '?' sections stay unloaded" {
	start_rawbpf run "$TOBJ/two.bpf.o"
	pids=$(exec_pids 1)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	[ "$(grep -c "attached to" "$BATS_TEST_TMPDIR/err")" -eq 2 ]
	grep -qxF "rawbpf: prog 'tp_execve': attached to tracepoint syscalls/sys_enter_execve" "$BATS_TEST_TMPDIR/err"
	if has_kprobe_pmu; then
		grep -qxF "rawbpf: prog 'ks_execve': attached to kprobe $(execve_fn) (kprobe PMU)" "$BATS_TEST_TMPDIR/err"
	elif ! has_kprobe_events; then
		grep -qxF "rawbpf: prog 'ks_execve': attached to tracepoint syscalls/sys_enter_execve" "$BATS_TEST_TMPDIR/err"
	fi
	each_pid_has 2 "tp saw execve" $pids
	each_pid_has 2 "ksyscall saw execve" $pids
	! grep -q "must not appear" "$BATS_TEST_TMPDIR/out" || false
	nothing_left
}

@test "run of an object with nothing to attach (one XDP program): exit 1, the kinds it attaches named, nothing loaded" {
	run "$RAWBPF" run "$TOBJ/kfunc_mod.bpf.o"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "rawbpf: $TOBJ/kfunc_mod.bpf.o: no program to attach (rawbpf attaches kprobe/, "* ]]
	for k in fentry/ tp_btf/ lsm/ uprobe/ usdt/ --attach-to; do [[ "$output" == *" $k"* ]]; done
	nothing_left
}

@test "load: accepted programs are reported and released" {
	run "$RAWBPF" load hello
	[ "$status" -eq 0 ]
	[ "$output" = "prog 'hello' (ksyscall/execve, 13 instructions): accepted by the verifier" ]
	nothing_left
}

@test "load: a verifier error shows the log between markers, exit 4" {
	run "$RAWBPF" load "$TOBJ/verifier_error.bpf.o"
	[ "$status" -eq 4 ]
	[[ "$output" == *"rawbpf: prog 'bad_deref': rejected by the verifier (Permission denied); its log follows"* ]]
	[[ "$output" == *"-- BEGIN verifier log for prog 'bad_deref' --"*"invalid mem access 'scalar'"*"-- END verifier log --"* ]]
	[[ "$output" == *"prog 'bad_deref' (tp/syscalls/sys_enter_execve, 3 instructions): rejected"* ]]
	nothing_left
}

@test "run of a rejected program exits 4 and leaves nothing, tracefs as it was" {
	was=$(tracefs_mounted && echo yes || echo no)
	run "$RAWBPF" run "$TOBJ/verifier_error.bpf.o" --duration=1
	[ "$status" -eq 4 ]
	[[ "$output" == *"-- END verifier log --"* ]]
	nothing_left
	[ "$(tracefs_mounted && echo yes || echo no)" = "$was" ]
	# and where nothing had mounted it
	run_without_tracefs <<'EOF'
"$RAWBPF" run "$TOBJ/verifier_error.bpf.o" --duration=1 >/dev/null 2>&1
echo "exit $?"
tracefs_mounted && echo "tracefs left mounted"
EOF
	[ "$output" = "exit 4" ]
}

# Kernels before 5.2 refuse a log_size above UINT32_MAX >> 8 with EINVAL, which would replace
# the real error; a log that does not fit even then is shown as part of a log, saying so.
@test "a verifier log too big for the biggest buffer: log_size at most UINT32_MAX >> 8, the real error, the log said to be cut" {
	"$RAWBPF" load --explain "$TOBJ/biglog.bpf.o" >"$BATS_TEST_TMPDIR/out" 2>&1 && false || [ $? -eq 4 ]
	sizes=$(grep -a '^explain: bpf(BPF_PROG_LOAD' "$BATS_TEST_TMPDIR/out" | sed -n 's/.* log_size=\([0-9]*\)).*/\1/p' | tr '\n' ' ')
	echo "log sizes: $sizes"
	[ "$sizes" = "0 65536 262144 1048576 4194304 16777215 " ]
	grep -aqx "rawbpf: prog 'big_log': rejected by the verifier (Permission denied); its log follows" "$BATS_TEST_TMPDIR/out"
	grep -aqx -- "-- the log did not fit in 16777215 bytes, the most every kernel accepts: this is only part of it --" "$BATS_TEST_TMPDIR/out"
	grep -aq -- "-- END verifier log --" "$BATS_TEST_TMPDIR/out"
	nothing_left
}

# Two sections each with a symbol "in_data": the .data DATASEC must take the .data one's offset
# (4), not the .bss one's (0, which overlaps 'first' and makes the kernel refuse the BTF).
@test "same-named symbols in two sections: each DATASEC takes its offsets from its own section" {
	llvm-objcopy --redefine-sym in_bss=in_data "$TOBJ/samename.bpf.o" "$BATS_TEST_TMPDIR/same.o"
	[ "$(llvm-objdump -t "$BATS_TEST_TMPDIR/same.o" | grep -c ' in_data$')" -eq 2 ]
	run "$RAWBPF" load "$BATS_TEST_TMPDIR/same.o"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "prog 'samename' (tp/syscalls/sys_enter_execve, 19 instructions): accepted by the verifier" ]
	nothing_left
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
	nothing_left
}

@test "without capabilities and without tracefs: the mount is refused clearly" {
	run_without_tracefs <<'EOF'
setpriv --inh-caps=-all --bounding-set=-all "$RAWBPF" --duration=1
echo "exit $?"
EOF
	[ "$status" -eq 0 ]
	[[ "$output" == *"mount tracefs on /sys/kernel/tracing: Operation not permitted"* ]]
	[[ "$output" == *"hint: mounting needs CAP_SYS_ADMIN"* ]]
	[[ "$output" == *$'\nexit 1' ]]
	nothing_left
}

@test "as an ordinary user: trace_pipe is refused clearly" {
	mount_tracefs
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$RAWBPF" --duration=1
	[ "$status" -eq 1 ]
	[[ "$output" == *"trace_pipe: Permission denied"* ]]
	[[ "$output" == *"hint: reading trace_pipe needs root"* ]]
}
