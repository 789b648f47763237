#!/usr/bin/env bats
# --explain narrates every call into the kernel: strace records what rawbpf really asked the
# kernel (bpf, perf_event_open, ioctl, tracefs/sysfs/procfs files, mounts, signals, buffer
# mappings, polls) and test/strace_explain.awk finds each one's narration line, in order. A call
# made past the kernel layer's wrappers has none, and fails the test with the call named.

load helpers

setup() {
	need_root
	# (what is compared is the shipped loader's calls; the sanitizer build's libc and runtime make
	# their own, /proc/self/maps and the like, and LeakSanitizer fails under ptrace)
	[[ "$RAWBPF" != *asan* ]] || skip "the sanitizer build's libc makes its own system calls (and LSan fails under ptrace)"
	command -v strace >/dev/null || { echo "strace is needed (apt-get install strace)" >&2; return 1; }
	MATCH="$BATS_TEST_DIRNAME/strace_explain.awk"
}

# Runs rawbpf ARGS... under strace with --explain, then matches the two.
traced() {
	strace -f -y -qq -o "$BATS_TEST_TMPDIR/strace" "$RAWBPF" "$@" --explain >"$BATS_TEST_TMPDIR/out" \
		2>"$BATS_TEST_TMPDIR/err" || { cat "$BATS_TEST_TMPDIR/err"; return 1; }
	run awk -f "$MATCH" "$BATS_TEST_TMPDIR/err" "$BATS_TEST_TMPDIR/strace"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "explain: the matcher finds a call without its narration" {
	# The same run, less one narration line: the matcher must name the call it lost.
	traced load "$TOBJ/typed_out.bpf.o"
	grep -v 'BPF_MAP_CREATE.*"hist"' "$BATS_TEST_TMPDIR/err" >"$BATS_TEST_TMPDIR/err2"
	run awk -f "$MATCH" "$BATS_TEST_TMPDIR/err2" "$BATS_TEST_TMPDIR/strace"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not narrated: "*"BPF_MAP_CREATE"*"hist"* ]]
}

@test "explain: the default job narrates every kernel call, in order" {
	traced --duration=1
	# (which attach path it took depends on the kernel; each takes its own calls)
	grep -q "attached to" "$BATS_TEST_TMPDIR/err"
	[[ "$output" =~ ^[1-9][0-9]*\ kernel\ calls ]]
}

@test "explain: load of an object with maps and a ring buffer narrates every kernel call" {
	traced load "$TOBJ/typed_out.bpf.o"
	grep -q "BPF_MAP_CREATE.*ringbuf" "$BATS_TEST_TMPDIR/err"
}

@test "explain: probe narrates every kernel call" {
	traced probe
}

@test "explain: run of an object with maps and a ring buffer narrates every kernel call" {
	traced run "$TOBJ/typed_out.bpf.o" --duration=2.5 --interval=1
	grep -q "mmap(.*MAP_SHARED" "$BATS_TEST_TMPDIR/err"
	grep -q "BPF_MAP_LOOKUP_ELEM" "$BATS_TEST_TMPDIR/err"
}

@test "probe: two results in one line are told apart (kern_res keeps no shared buffer)" {
	# A BTF-typed program's line shows PROG_LOAD's result, then the attach's: two fds, which a
	# result buffer shared between calls would print as one number twice.
	run "$RAWBPF" probe
	line=$(grep -E 'PROG_LOAD = [0-9]+; (LINK_CREATE|RAW_TRACEPOINT_OPEN) = [0-9]+' <<<"$output" | head -1)
	[ -n "$line" ] || skip "no BTF-typed program loads and attaches on this kernel: no line with two results"
	echo "$line"
	load=${line#*PROG_LOAD = }; load=${load%%;*}
	att=${line##* = }
	[ "$load" != "$att" ]
}
