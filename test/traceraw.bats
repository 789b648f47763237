#!/usr/bin/env bats
# rawbpf's reader of per_cpu/cpuN/trace_pipe_raw (loader/traceraw.c) against the kernel's own
# formatting: events are made while rawbpf is stopped, the non-consuming `trace` file shows them
# as the kernel formats them, then rawbpf consumes the raw pages and must print the same lines.
# The guest check trace_raw (tools/vm/guest-init.sh) does the same on the QEMU kernels.

load helpers

setup() {
	need_root
	OPT= MOUNTED=
	# the tests read `trace` and write trace_marker beside rawbpf: where tracefs is not mounted
	# (the guest, a minimal host) they mount it for themselves, and unmount it after
	if ! tracefs_mounted; then
		mount -t tracefs tracefs "$TRACEFS" || { echo "cannot mount tracefs on $TRACEFS" >&2; return 1; }
		MOUNTED=1
	fi
}

teardown() {
	[ -n "${RB_PID:-}" ] && kill -CONT "$RB_PID" 2>/dev/null && kill -KILL "$RB_PID" 2>/dev/null
	[ -n "$OPT" ] && echo "no$OPT" >"$TRACEFS/trace_options"
	[ -z "$MOUNTED" ] || umount "$TRACEFS"
	true
}

# rawbpf reads trace_pipe until it is busy (half a page of lines at one wakeup): made so here with rawbpf
# stopped while dd writes about 9 KB of lines (40 long, 40 short); then it must say it reads
# trace_pipe_raw (or why not). Its 40 write lines are in the output before the test's own.
make_busy() {
	kill -STOP "$RB_PID"
	dd if=/dev/zero of=/dev/null bs=1 count=40 status=none
	kill -CONT "$RB_PID"
	for _ in $(seq 50); do
		grep -qE "explain: trace_pipe_raw (of [0-9]+ CPUs|not used)" "$BATS_TEST_TMPDIR/err" && return 0
		sleep 0.1
	done
	echo "no switch to trace_pipe_raw after 9 KB of lines:" >&2
	cat "$BATS_TEST_TMPDIR/err" >&2
	return 1
}

# Runs rawbpf on traceraw.bpf.o, busy (above), then stopped while dd makes lines on each CPU (a pause between
# them, longer than a record's 27-bit time delta: a time-extend record), keeps the kernel's
# text of them from `trace` (its "#" header and annotation lines left out: trace_pipe has none),
# then lets rawbpf read them and stops it.
lines_both_ways() {
	start_rawbpf run "$TOBJ/traceraw.bpf.o" --explain
	make_busy
	sleep 0.3
	kill -STOP "$RB_PID"
	local pids= c
	for c in $(seq 0 $(($(nproc) > 1 ? 1 : 0))); do
		taskset -c "$c" dd if=/dev/zero of=/dev/null bs=1 count=12 status=none &
		pids="$pids $!"
	done
	wait $pids
	sleep 0.3
	dd if=/dev/zero of=/dev/null bs=1 count=5 status=none
	grep -v '^#' "$TRACEFS/trace" >"$BATS_TEST_TMPDIR/kernel"
	kill -CONT "$RB_PID"
	sleep 0.5
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	# the test's lines are the last ones rawbpf printed
	tail -n "$(wc -l <"$BATS_TEST_TMPDIR/kernel")" "$BATS_TEST_TMPDIR/out" >"$BATS_TEST_TMPDIR/last"
}

@test "trace_pipe_raw: every line as the kernel formats it (long and short records, both CPUs, a time extend)" {
	lines_both_ways
	grep -q "explain: trace_pipe is busy ([0-9]* bytes at a wakeup): reading trace_pipe_raw from here on" "$BATS_TEST_TMPDIR/err"
	# none lost at the switch: the 40 writes of make_busy, 12 on each CPU used, 5; and the
	# program's line numbers (one counter, racy across CPUs: repeats, never gaps) have no gap
	[ "$(grep -c 'bpf_trace_printk: write [0-9]*$' "$BATS_TEST_TMPDIR/out")" -eq $((40 + 12 * ($(nproc) > 1 ? 2 : 1) + 5)) ]
	sed -nE 's/.* bpf_trace_printk: (read|write) ([0-9]+).*/\2/p' "$BATS_TEST_TMPDIR/out" | sort -un |
		awk '$1 != NR - 1 { print "line " NR - 1 " missing"; bad = 1; exit } END { exit bad }'
	k=$BATS_TEST_TMPDIR/kernel
	[ "$(grep -c 'bpf_trace_printk: read .* takes the other form$' "$k")" -ge 17 ]
	[ "$(grep -c 'bpf_trace_printk: write [0-9]*$' "$k")" -ge 17 ]
	[ "$(nproc)" -eq 1 ] || grep -q '\[001\]' "$k"
	diff "$k" "$BATS_TEST_TMPDIR/last"
}

@test "trace_pipe_raw: not set up while trace_pipe keeps up (the default job's line an exec)" {
	start_rawbpf run "$TOBJ/traceraw.bpf.o" --explain
	dd if=/dev/zero of=/dev/null bs=1 count=3 status=none
	sleep 0.3
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	[ "$(grep -c 'bpf_trace_printk: write [0-9]*$' "$BATS_TEST_TMPDIR/out")" -eq 3 ]
	! grep -q "trace_pipe_raw" "$BATS_TEST_TMPDIR/err"
}

@test "trace_pipe_raw: an option rawbpf does not mirror (record-tgid) makes it read trace_pipe, saying why" {
	grep -qx norecord-tgid "$TRACEFS/trace_options" || skip "record-tgid is already set"
	echo record-tgid >"$TRACEFS/trace_options"
	OPT=record-tgid
	lines_both_ways
	grep -q "explain: trace_pipe_raw not used: trace_options is not" "$BATS_TEST_TMPDIR/err"
	grep -q "bpf_trace_printk: write" "$BATS_TEST_TMPDIR/kernel"
	diff "$BATS_TEST_TMPDIR/kernel" "$BATS_TEST_TMPDIR/last"
}

@test "trace_pipe_raw: another event in the buffer (a trace_marker line) is named in a notice; trace_pipe then, lines go on" {
	start_rawbpf run "$TOBJ/traceraw.bpf.o" --explain
	make_busy
	dd if=/dev/zero of=/dev/null bs=1 count=3 status=none
	echo "rawbpf-test-marker-$$" >"$TRACEFS/trace_marker"
	dd if=/dev/zero of=/dev/null bs=1 count=3 status=none
	sleep 0.3
	echo "rawbpf-test-marker2-$$" >"$TRACEFS/trace_marker"
	dd if=/dev/zero of=/dev/null bs=1 count=3 status=none
	sleep 0.3
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	grep -qx "rawbpf: notice: 1 events other than bpf_trace_printk in trace_pipe_raw, not shown: reading trace_pipe from here on" "$BATS_TEST_TMPDIR/err"
	grep -q "tracing_mark_write: rawbpf-test-marker2-$$\$" "$BATS_TEST_TMPDIR/out"
	[ "$(grep -c 'bpf_trace_printk: write [0-9]*$' "$BATS_TEST_TMPDIR/out")" -eq 49 ]
}

@test "trace_pipe_raw: an option changed while it runs (record-tgid) makes it give way to trace_pipe within a second" {
	grep -qx norecord-tgid "$TRACEFS/trace_options" || skip "record-tgid is already set"
	start_rawbpf run "$TOBJ/traceraw.bpf.o" --explain
	make_busy
	dd if=/dev/zero of=/dev/null bs=1 count=3 status=none
	sleep 0.3
	echo record-tgid >"$TRACEFS/trace_options"
	OPT=record-tgid
	sleep 1.2
	dd if=/dev/zero of=/dev/null bs=1 count=3 status=none
	sleep 0.3
	stop_rawbpf INT
	grep -q "explain: trace_pipe_raw of [0-9]* CPUs" "$BATS_TEST_TMPDIR/err"
	grep -q "explain: trace_pipe_raw not used: trace_options or trace_clock (changed)" "$BATS_TEST_TMPDIR/err"
	# the first 43 writes without the (tgid) column, the last three with it
	[ "$(grep -Ec -- '-[0-9]+ +\[[0-9]{3}\] .* bpf_trace_printk: write [0-9]+$' "$BATS_TEST_TMPDIR/out")" -eq 43 ]
	[ "$(grep -Ec -- '-[0-9]+ +\((-------| *[0-9]+)\) \[[0-9]{3}\] .* bpf_trace_printk: write [0-9]+$' "$BATS_TEST_TMPDIR/out")" -eq 3 ] ||
		{ cat "$BATS_TEST_TMPDIR/out"; false; }
}
