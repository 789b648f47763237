#!/usr/bin/env bats
# The built-in examples of chapters 2 and 3 and the object model behind them, on this machine's
# kernel (kprobe examples take the sys_enter_execve tracepoint here; the QEMU matrix runs them
# on kprobes), checked by real values: the uid and command of processes the test starts.

load helpers

setup() {
	need_root
}

teardown() {
	[ -n "${RB_PID:-}" ] && kill -KILL "$RB_PID" 2>/dev/null
	true
}

# Runs n processes as user 65534, one after the other; prints their pids. Each is setpriv,
# which execs /bin/true as that user: one execve as root (starting setpriv), one as 65534.
exec_as_nobody() {
	local pid
	for _ in $(seq "$1"); do
		setpriv --reuid=65534 --regid=65534 --clear-groups /bin/true &
		pid=$!
		wait "$pid"
		echo "$pid"
	done
}

# The timer syscalls' numbers on this machine, as the example uses them.
timer_nrs() {
	case $(uname -m) in
	x86_64) echo "222 226" ;;
	aarch64) echo "107 111" ;;
	*) skip "no syscall numbers for $(uname -m)" ;;
	esac
}

# Creates and deletes a POSIX timer through syscall(2) (perl is in every Debian); prints its pid.
make_timer() {
	local nrs create delete
	nrs=$(timer_nrs)
	create=${nrs% *} delete=${nrs#* }
	perl -e '$id = pack("L", 0); syscall('"$create"', 1, 0, $id) == 0 or die "timer_create: $!";
	         syscall('"$delete"', unpack("L", $id)) == 0 or die "timer_delete: $!"' &
	local pid=$!
	wait "$pid"
	echo "$pid"
}

@test "hello-map: the count of execve calls of user 65534" {
	start_rawbpf run hello-map --interval=0.5
	exec_as_nobody 3 >/dev/null
	sleep 0.7 # one more print with the counts in
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	cat "$BATS_TEST_TMPDIR/out"
	# Each interval prints the whole map on one line, the book's way: "ID 65534: 3<TAB>ID 0: ..."
	tail -n 1 "$BATS_TEST_TMPDIR/out" | grep -Pq '(^|\t)ID 65534: 3\t'
	tail -n 1 "$BATS_TEST_TMPDIR/out" | grep -Pq '(^|\t)ID 0: [0-9]+\t'
	nothing_left
}

@test "hello-buffer: a perf buffer record with the pid, uid and command of each exec" {
	start_rawbpf run hello-buffer
	pids=$(exec_as_nobody 2)
	stop_rawbpf TERM
	[ "$RB_STATUS" -eq 0 ]
	for pid in $pids; do
		# setpriv (root) execs /bin/true as 65534: that execve's caller is setpriv
		grep -qx "$pid 65534 setpriv Hello World" "$BATS_TEST_TMPDIR/out" ||
			{ cat "$BATS_TEST_TMPDIR/out"; false; }
		grep -qx "$pid 0 bash Hello World" "$BATS_TEST_TMPDIR/out"
	done
	nothing_left
}

@test "hello-ringbuf: the same records through a BPF ring buffer" {
	start_rawbpf run hello-ringbuf
	pids=$(exec_as_nobody 2)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	for pid in $pids; do
		grep -qx "$pid 65534 setpriv Hello World" "$BATS_TEST_TMPDIR/out" ||
			{ cat "$BATS_TEST_TMPDIR/out"; false; }
	done
	nothing_left
}

@test "hello-tail: tail calls by syscall number: exec and timer messages, nothing else" {
	start_rawbpf run hello-tail
	pids=$(exec_pids 1)
	tpid=$(make_timer)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	each_pid_has 2 "Executing a program" $pids
	[ "$(lines_of "$tpid" "Creating a timer" "$BATS_TEST_TMPDIR/out")" -eq 1 ]
	[ "$(lines_of "$tpid" "Deleting a timer" "$BATS_TEST_TMPDIR/out")" -eq 1 ]
	# other syscalls are ignored: every line is one of the three messages
	! grep -v -e "Executing a program$" -e "Creating a timer$" -e "Deleting a timer$" \
		-e "Some other timer operation$" -e "LOST [0-9]* EVENTS" "$BATS_TEST_TMPDIR/out" || false
	nothing_left
}

@test "hello-func: a BPF-to-BPF call returns the syscall number" {
	start_rawbpf run hello-func
	tpid=$(make_timer)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	nrs=$(timer_nrs)
	grep -Eq -- "-$tpid +\[[0-9]+\] .* bpf_trace_printk: Syscall: ${nrs% *}$" "$BATS_TEST_TMPDIR/out" ||
		{ grep -- "-$tpid " "$BATS_TEST_TMPDIR/out" | head; false; }
	nothing_left
}

@test "hello-global: .bss counter, .data step, .rodata format: Hello World 0, 1, 2..." {
	start_rawbpf run hello-global
	exec_pids 3 >/dev/null
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	ns=$(sed -n 's/.* bpf_trace_printk: Hello World \([0-9]*\)$/\1/p' "$BATS_TEST_TMPDIR/out")
	[ "$(echo "$ns" | head -n 1)" = 0 ]
	[ "$(echo "$ns" | wc -l)" -ge 6 ]
	# each line's N is one more than the line before
	echo "$ns" | awk 'NR > 1 && $1 != prev + 1 { exit 1 } { prev = $1 }'
	nothing_left
}

@test "hello-global: .rodata is frozen and read-only to programs, the others are not" {
	run "$RAWBPF" load hello-global --explain
	[ "$status" -eq 0 ]
	[[ "$output" == *'name="hello_gl.rodata"'*"map_flags=0x80"* ]]
	[[ "$output" == *"BPF_MAP_FREEZE"*"hello_gl.rodata"* ]]
	[[ "$output" == *'name="hello_gl.bss"'*"map_flags=0x0"* ]]
	[[ "$output" == *'name="hello_gl.data"'*"map_flags=0x0"* ]]
	[ "$(grep -c BPF_MAP_FREEZE <<<"$output")" -eq 1 ]
}

@test "an object built with libbpf's headers (bpf_printk, SEC) loads and runs" {
	start_rawbpf run "$TOBJ/libbpf_hello.bpf.o"
	pids=$(exec_pids 1)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	for pid in $pids; do
		grep -Eq -- "-$pid +\[.* bpf_trace_printk: libbpf says hello to $pid$" "$BATS_TEST_TMPDIR/out"
	done
}

@test "a legacy 'maps' section map is created and printed (no BTF: integers)" {
	start_rawbpf run "$TOBJ/legacy_map.bpf.o" --interval=100
	exec_pids 2 >/dev/null
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	# the final print: slot 0 counts at least our 4 execs; the zero slots are left out
	grep -Eq '^execs: 0 => [0-9]+$' "$BATS_TEST_TMPDIR/out"
	[ "$(sed -n 's/^execs: 0 => //p' "$BATS_TEST_TMPDIR/out")" -ge 4 ]
}

@test "generic output: hash map values through BTF, per-CPU values summed, unnamed records as hex" {
	start_rawbpf run "$TOBJ/generic.bpf.o" --interval=100
	pids=$(exec_as_nobody 1)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	cat "$BATS_TEST_TMPDIR/out"
	# two execs by that pid (bash starting setpriv, setpriv starting true), the last by setpriv
	grep -Eq "^by_pid: (.*, )?$pids => \{count=2 comm=setpriv\}(,|$)" "$BATS_TEST_TMPDIR/out"
	grep -Eq '^total: 0 => [0-9]+$' "$BATS_TEST_TMPDIR/out"
	grep -qx "0xefbeedfe" "$BATS_TEST_TMPDIR/out"
}

@test "--interval: maps are printed at that interval" {
	start_rawbpf run hello-map --interval=0.3
	exec_pids 1 >/dev/null
	sleep 1.5
	stop_rawbpf INT
	# at least 3 interval prints in 1.5 s, plus the final one
	[ "$(grep -c '^ID ' "$BATS_TEST_TMPDIR/out")" -ge 4 ]
	run "$RAWBPF" run hello-map --interval=0
	[ "$status" -eq 2 ]
}

@test "a BTF the kernel refuses: a notice, and everything loads and runs without it" {
	obj="$ROOT/test/corpus/kernel/btf-refused.o" # hello-map with a FUNC of an unknown linkage
	run "$RAWBPF" load "$obj" --explain
	[ "$status" -eq 0 ]
	[[ "$output" == *"rawbpf: notice: the kernel refused the object's BTF (Invalid argument: "*"Invalid func linkage): loading without it"* ]]
	# the map is created without types, the program without line info
	[[ "$output" == *'name="counter_table"'*"btf_key_type_id=0, btf_value_type_id=0"* ]]
	[[ "$output" == *"prog 'hello' (ksyscall/execve, 24 instructions): accepted by the verifier"* ]]
	start_rawbpf run "$obj" --interval=100
	exec_as_nobody 2 >/dev/null
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	# without BTF the map still prints, with integers
	grep -Pq '(^|\t)ID 65534: 2\t' "$BATS_TEST_TMPDIR/out"
}

# Lines longer than a buffer: a 1500-entry map and a 3000-byte record are printed whole; a
# 12000-byte record (24 KiB of hex) is cut, saying so, not silently.
@test "long output lines: a 1500-entry map and a 3000-byte record whole, a longer record cut with a notice" {
	start_rawbpf run "$TOBJ/bigout.bpf.o"
	exec_pids 1 >/dev/null
	sleep 0.3
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	awk '{ print length($0) ": " substr($0, 1, 60) " ... " substr($0, length($0) - 60) }' "$BATS_TEST_TMPDIR/out"
	many=$(grep '^many: ' "$BATS_TEST_TMPDIR/out" | tail -n 1)
	[ "$(grep -o ' => ' <<<"$many" | wc -l)" -eq 1500 ]
	grep -Eq '(: |, )1499 => 10493(,|$)' <<<"$many"
	grep -qx "0xab$(printf '0%.0s' $(seq 5996))cd" "$BATS_TEST_TMPDIR/out"
	# the 24 KiB one: 16 KiB of its hex, then the notice
	awk '/^0xab[0-9a-f]+ \.\.\. \[cut: the line is longer than [0-9]+ bytes\]$/ && length($0) > 16000 { n++ } END { exit !n }' \
		"$BATS_TEST_TMPDIR/out"
	nothing_left
}
