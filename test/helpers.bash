# Shared by the bats files: where things are, starting and stopping rawbpf, and checking that
# nothing it created is left in the kernel.

ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
RAWBPF="${RAWBPF:-$ROOT/build/rawbpf}" # RAWBPF=build/asan/rawbpf for the sanitizer pass
TOBJ="$ROOT/build/test"
TRACEFS=/sys/kernel/tracing

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
}

tracefs_mounted() {
	[ "$(stat -f -c %t "$TRACEFS" 2>/dev/null)" = 74726163 ]
}

# What this kernel offers, as rawbpf must find it. The kprobe PMU is in sysfs; kprobe_events is
# in tracefs, looked at in a private mount namespace when tracefs is not mounted here.
has_kprobe_pmu() { [ -e /sys/bus/event_source/devices/kprobe/type ]; }
in_tracefs() { # COMMAND...: runs it with tracefs mounted, in a private namespace if need be
	if tracefs_mounted; then "$@"
	else unshare -m --propagation private sh -c 'mount -t tracefs tracefs "$0" && exec "$@"' "$TRACEFS" "$@"; fi
}
has_kprobe_events() { in_tracefs test -e "$TRACEFS/kprobe_events"; }
has_kprobes() { has_kprobe_pmu || has_kprobe_events; }
# The execve function, found as BCC does: the first prefix with <prefix>bpf in kallsyms.
execve_fn() {
	local p
	for p in sys_ __x64_sys_ __x32_compat_sys_ __ia32_compat_sys_ __arm64_sys_ __s390x_sys_ __s390_sys_ __riscv_sys_; do
		if grep -q " ${p}bpf\$" /proc/kallsyms; then echo "${p}execve"; return; fi
	done
}
# Runs COMMAND... in a private mount namespace where tracefs is not mounted (unmounted there if
# it is mounted here): the case of a host that never mounted it, on any host.
without_tracefs() {
	unshare -m --propagation private sh -c 'while [ "$(stat -f -c %t "$0" 2>/dev/null)" = 74726163 ]; do umount "$0" || exit 99; done; exec "$@"' "$TRACEFS" "$@"
}

# Runs rawbpf in the background; returns once it has announced every attachment.
start_rawbpf() {
	# Emptied here, before the fork: the background job's own redirections may come after the
	# first grep below, which would then find an earlier run's "attached to".
	: >"$BATS_TEST_TMPDIR/out"
	: >"$BATS_TEST_TMPDIR/err"
	"$RAWBPF" "$@" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	RB_PID=$!
	for _ in $(seq 200); do
		grep -q "attached to" "$BATS_TEST_TMPDIR/err" && return 0
		if ! kill -0 "$RB_PID" 2>/dev/null; then
			echo "rawbpf exited before attaching:" >&2
			cat "$BATS_TEST_TMPDIR/err" >&2
			return 1
		fi
		sleep 0.05
	done
	echo "rawbpf did not attach within 10 s" >&2
	return 1
}

# Sends a signal and waits; RB_STATUS is rawbpf's exit status.
stop_rawbpf() {
	kill "-$1" "$RB_PID"
	RB_STATUS=0
	wait "$RB_PID" || RB_STATUS=$?
}

# Starts n processes, one after the other, that each make exactly two execve calls (the shell
# forks, the child execs dash, dash execs true) and prints their pids. Trace lines are matched
# by pid, not by name: the kernel shows "<...>" for a comm it has not cached.
exec_pids() {
	local pid
	for _ in $(seq "$1"); do
		/bin/dash -c 'exec /bin/true' &
		pid=$!
		wait "$pid"
		echo "$pid"
	done
}

# How many lines of file name pid with the message msg.
lines_of() {
	grep -Ec -- "-$1 +\[[0-9]+\] .* bpf_trace_printk: $2\$" "$3" || true
}

# Each of the pids has exactly n lines with msg in rawbpf's output.
each_pid_has() {
	local n=$1 msg=$2 pid c
	shift 2
	for pid in "$@"; do
		c=$(lines_of "$pid" "$msg" "$BATS_TEST_TMPDIR/out")
		[ "$c" -eq "$n" ] || { echo "pid $pid: $c lines of '$msg', expected $n" >&2; cat "$BATS_TEST_TMPDIR/out" >&2; return 1; }
	done
}

# The kernel objects that exist now, one per line: every BPF program, map and link by id (the
# kernel's GET_NEXT_ID enumeration, through bpftool), with the processes holding a file
# descriptor of it, and every kprobe and uprobe event in tracefs. bpftool is required: without
# it this fails, it never passes.
kernel_objects() {
	command -v bpftool >/dev/null || { echo "kernel_objects: bpftool is required (tools/install-deps test)" >&2; return 1; }
	local k
	for k in prog map link; do
		bpftool -j "$k" show | jq -r --arg k "$k" '.[] | "\($k) \(.id) \(.name // .type // "") holders:\([.pids[]? | "\(.comm)/\(.pid)"] | join(","))"' ||
			{ echo "kernel_objects: bpftool -j $k show failed" >&2; return 1; }
	done
	# perf events with a BPF program attached, and who holds them
	bpftool -j perf show | jq -r '.[] | "\(.pid) \(.fd) \(.prog_id) \(.type)"' |
		while read -r pid fd prog type; do echo "perf $pid/$fd prog $prog $type holders:$(cat "/proc/$pid/comm" 2>/dev/null)/$pid"; done
	[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "kernel_objects: bpftool -j perf show failed" >&2; return 1; }
	in_tracefs sh -c 'cat "$0/kprobe_events" "$0/uprobe_events" 2>/dev/null' "$TRACEFS" | sed 's/^/event /'
	return 0
}

# Run for each test as the file is loaded: the objects that existed before it.
if [ -n "${BATS_TEST_TMPDIR:-}" ] && [ "$(id -u)" = 0 ]; then
	kernel_objects >"$BATS_TEST_TMPDIR/objects.before" 2>"$BATS_TEST_TMPDIR/objects.err" || true
fi

# Fails if a program, map, link or probe event that did not exist before the test exists now,
# waiting a little for the kernel to free what was closed. An object held only by processes
# other than rawbpf (another tool running on this machine at the same time) is shown, not
# counted; one held by nobody (pinned, attached) or by a rawbpf is left behind.
nothing_left() {
	local before=$BATS_TEST_TMPDIR/objects.before now=$BATS_TEST_TMPDIR/objects.now left
	[ -s "$BATS_TEST_TMPDIR/objects.err" ] && { cat "$BATS_TEST_TMPDIR/objects.err" >&2; return 1; }
	[ -f "$before" ] || { echo "nothing_left: no snapshot of the objects before the test" >&2; return 1; }
	for _ in $(seq 40); do
		kernel_objects >"$now" || return 1
		# new objects held by nobody, or by a rawbpf
		left=$(grep -vxFf "$before" "$now" | grep -Ev ' holders:([^,]+,)*[^,]+$|^$'
			grep -vxFf "$before" "$now" | grep -E ' holders:(.*,)?rawbpf/') || true
		[ -z "$left" ] && break
		sleep 0.05
	done
	if grep -vxFf "$before" "$now" | grep -q .; then
		echo "# objects that did not exist before the test:" >&2
		grep -vxFf "$before" "$now" >&2
	fi
	[ -z "$left" ] || { echo "left behind by the test:" >&2; echo "$left" >&2; return 1; }
}
no_programs_left() { nothing_left; }
