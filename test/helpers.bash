# Shared by the bats files: where things are, starting and stopping rawbpf, and checking that
# nothing it created is left in the kernel.

ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
RAWBPF="${RAWBPF:-$ROOT/build/rawbpf}" # RAWBPF=build/asan/rawbpf for the sanitizer pass
TOBJ="$ROOT/build/test"
TRACEFS=/sys/kernel/tracing
# Names of every program in prog/ and test/progs/: none may be loaded after a run ends.
OUR_PROGS='rawbpf_probe|hello|hello_exec|hello_timer|tp_execve|ks_execve|not_loaded|bad_deref|proprietary|on_nanosleep|count|nanosleep_ret|execve_ret|libbpf_hello|count_execs|generic|pick_a|pick_b|pick_bad|pick_opt|set_exec|kconfig_exec|ksyms_exec|ksym_var_exec|missing_exec'

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
}

tracefs_mounted() {
	[ "$(stat -f -c %t "$TRACEFS" 2>/dev/null)" = 74726163 ]
}

# Runs rawbpf in the background; returns once it has announced every attachment.
start_rawbpf() {
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

# Fails if any of our programs is still loaded, waiting a little for the kernel to free them.
no_programs_left() {
	for _ in $(seq 40); do
		bpftool prog show 2>/dev/null | grep -Eq "name ($OUR_PROGS)( |$)" || return 0
		sleep 0.05
	done
	echo "programs still loaded:" >&2
	bpftool prog show >&2
	return 1
}
