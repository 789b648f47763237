#!/usr/bin/env bats
# User-space probes on this kernel: uprobe (arguments), uretprobe (return value) and USDT
# (arguments, through libbpf's usdt.bpf.h) on test/uprobe_target.c, bash's readline by uretprobe;
# the uprobe PMU and the legacy uprobe_events; nothing left after SIGINT, SIGTERM or an error;
# inspect's view of the targets, checked against readelf.

load helpers

T="$TOBJ/uprobe_target"
UOBJ="$TOBJ/uprobe.bpf.o"
SOBJ="$TOBJ/usdt.bpf.o"
UPMU=/sys/bus/event_source/devices/uprobe/type

setup() {
	[ -x "$T" ] || { echo "no $T: make build/test/uprobe_target" >&2; return 1; }
	RB_PID=
}

teardown() { # a failed test leaves no rawbpf reading trace_pipe
	[ -z "$RB_PID" ] || kill -INT "$RB_PID" 2>/dev/null || true
	[ -z "$RB_PID" ] || wait "$RB_PID" 2>/dev/null || true
}

# How many trace lines of pid $1 end with the message $2 (no regex: messages have parentheses).
count_msg() {
	awk -v p="-$1 " -v m="bpf_trace_printk: $2" 'index($0, p) && substr($0, length($0) - length(m) + 1) == m' \
		"$BATS_TEST_TMPDIR/out" | wc -l
}

# Starts rawbpf and returns once it announced $1 attachments.
start_n() {
	local n=$1
	shift
	"$RAWBPF" "$@" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	RB_PID=$!
	for _ in $(seq 200); do
		[ "$(grep -c 'attached to' "$BATS_TEST_TMPDIR/err")" -ge "$n" ] && return 0
		kill -0 "$RB_PID" 2>/dev/null || { cat "$BATS_TEST_TMPDIR/err" >&2; return 1; }
		sleep 0.05
	done
	cat "$BATS_TEST_TMPDIR/err" >&2
	return 1
}

# Runs the target with N calls; TPID is its pid (from what it prints).
target() {
	TPID=$("$T" "$1" | sed -n 's/^pid \([0-9]*\) calls .*/\1/p')
	[ -n "$TPID" ]
	sleep 0.3 # the last trace lines reach trace_pipe
}

# Lines of the target's pid whose message is exactly $1.
has_once() {
	local c
	c=$(count_msg "$TPID" "$1")
	[ "$c" -eq 1 ] || { echo "'$1' from pid $TPID: $c lines, expected 1" >&2; cat "$BATS_TEST_TMPDIR/out" >&2; return 1; }
}

# Our legacy events (rawbpf_<pid>_N) in uprobe_events.
our_uprobe_events() {
	in_tracefs cat "$TRACEFS/uprobe_events" | grep "rawbpf/rawbpf_$1_" || true
}

# uprobe on rb_add (its two arguments) and uretprobe on rb_mul (its result), each call once.
check_add_mul() {
	target 4
	for i in 1 2 3 4; do
		has_once "rb_add($i, $((100 * i))) pid $TPID"
		has_once "rb_mul returned $((-7 * i)) pid $TPID"
	done
	[ "$(grep -c " pid $TPID\$" "$BATS_TEST_TMPDIR/out")" -eq 8 ]
}

@test "uprobe and uretprobe through the uprobe PMU: true arguments and return values, each call once" {
	need_root
	[ -e $UPMU ] || skip "no uprobe PMU in this kernel"
	start_n 2 run "$UOBJ" --prog add_entry,mul_return --attach=pmu \
		--attach-to "add_entry=$T:rb_add" --attach-to "mul_return=$T:rb_mul"
	grep -q "prog 'add_entry': attached to uprobe $T:rb_add (file offset 0x[0-9a-f]*, .symtab) (uprobe PMU)" "$BATS_TEST_TMPDIR/err"
	grep -q "prog 'mul_return': attached to uretprobe $T:rb_mul (file offset 0x[0-9a-f]*, .symtab) (uprobe PMU)" "$BATS_TEST_TMPDIR/err"
	check_add_mul
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	nothing_left
}

@test "uprobe and uretprobe through uprobe_events: the events exist while running, none after SIGTERM" {
	need_root
	start_n 2 run "$UOBJ" --prog add_entry,mul_return --attach=legacy \
		--attach-to "add_entry=$T:rb_add" --attach-to "mul_return=$T:rb_mul"
	grep -q "prog 'add_entry': attached to uprobe $T:rb_add .*(uprobe_events: rawbpf/rawbpf_${RB_PID}_0)" "$BATS_TEST_TMPDIR/err"
	during=$(our_uprobe_events "$RB_PID")
	[[ "$during" == *"p:rawbpf/rawbpf_${RB_PID}_0 $T:0x"* ]]
	[[ "$during" == *"r:rawbpf/rawbpf_${RB_PID}_1 $T:0x"* ]]
	check_add_mul
	stop_rawbpf TERM
	[ "$RB_STATUS" -eq 0 ]
	[ -z "$(our_uprobe_events "$RB_PID")" ]
	nothing_left
}

# USDT rawbpf_test:tick(i, -1000 * i, 42, rb_add(i, 100 * i)), read by BPF_USDT.
check_ticks() {
	target 3
	for i in 1 2 3; do
		has_once "tick $i $((-1000 * i)) 42"
		has_once "tick sum $((101 * i)) pid $TPID args 4"
	done
}

@test "USDT with libbpf's BPF_USDT: true arguments, each probe once; the semaphore raised (PMU)" {
	need_root
	[ -e $UPMU ] || skip "no uprobe PMU in this kernel"
	start_n 1 run "$SOBJ" --attach-to "tick=$T:rawbpf_test:tick"
	grep -q "prog 'tick': attached to usdt $T rawbpf_test:tick, 2 sites (uprobe PMU; spec ids in BPF cookies)" "$BATS_TEST_TMPDIR/err"
	check_ticks
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	! grep -q __bpf_usdt "$BATS_TEST_TMPDIR/out" # libbpf's bookkeeping maps are not printed
	nothing_left
}

@test "USDT through uprobe_events, the semaphore as (ref_ctr_offset); nothing left after SIGINT" {
	need_root
	start_n 1 run "$SOBJ" --attach=legacy --attach-to "tick=$T:rawbpf_test:tick"
	[[ "$(our_uprobe_events "$RB_PID")" == "p:rawbpf/rawbpf_${RB_PID}_0 $T:0x"*"(0x"*")" ]]
	check_ticks
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	[ -z "$(our_uprobe_events "$RB_PID")" ]
	nothing_left
}

@test "--pid: a probe fires in that process only" {
	need_root
	exec {in}< <(sleep 2)
	"$T" 2 wait <&$in >"$BATS_TEST_TMPDIR/a" &
	apid=$!
	exec {in}<&-
	start_n 1 run "$UOBJ" --prog add_entry --pid "$apid" --attach-to "add_entry=$T:rb_add"
	target 2 # another process: not seen
	wait "$apid"
	sleep 0.3
	stop_rawbpf INT
	[ "$(count_msg "$apid" "rb_add(1, 100) pid $apid")" -eq 1 ]
	[ "$(count_msg "$apid" "rb_add(2, 200) pid $apid")" -eq 1 ]
	[ "$(count_msg "$TPID" "rb_add(1, 100) pid $TPID")" -eq 0 ]
	nothing_left
}

@test "bash's readline by uretprobe (uretprobe/bash:readline, found through PATH): the typed line appears" {
	need_root
	command -v script >/dev/null || { echo "script (util-linux) is needed" >&2; return 1; }
	start_n 1 run "$UOBJ" --prog bash_readline
	grep -q "prog 'bash_readline': attached to uretprobe $(command -v bash):readline" "$BATS_TEST_TMPDIR/err"
	printf 'echo rawbpf-readline-$((6 * 7))\nexit\n' | script -qfec "bash --norc --noprofile -i" /dev/null >"$BATS_TEST_TMPDIR/typed"
	grep -q 'rawbpf-readline-42' "$BATS_TEST_TMPDIR/typed" # bash ran the line
	sleep 0.3
	stop_rawbpf INT
	grep -q "bpf_trace_printk: readline: 'echo rawbpf-readline-\$((6 \* 7))' pid [0-9]*\$" "$BATS_TEST_TMPDIR/out"
}

@test "an attach error after a legacy event was defined: exit 1, nothing left in uprobe_events" {
	need_root
	"$RAWBPF" run "$UOBJ" --prog add_entry,mul_return --attach=legacy \
		--attach-to "add_entry=$T:rb_add" --attach-to "mul_return=$T:0x7fffffff" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	wait $pid && status=0 || status=$?
	cat "$BATS_TEST_TMPDIR/err"
	[ "$status" -eq 1 ]
	grep -q "prog 'add_entry': attached to uprobe" "$BATS_TEST_TMPDIR/err"
	grep -q "rawbpf: prog 'mul_return': " "$BATS_TEST_TMPDIR/err"
	[ -z "$(our_uprobe_events "$pid")" ]
	nothing_left
}

@test "bad targets: clear messages" {
	run "$RAWBPF" run "$UOBJ" --attach-to "add_entry=$T:no_such_function"
	[ "$status" -eq 1 ]
	[[ "$output" == *"rawbpf: prog 'add_entry': $T: no function 'no_such_function' in .symtab or .dynsym"* ]]
	run "$RAWBPF" run "$UOBJ" --attach-to "add_entry=/no/such/file:f"
	[ "$status" -eq 1 ]
	[[ "$output" == *"prog 'add_entry': /no/such/file: no such file"* ]]
	run "$RAWBPF" run "$UOBJ" --attach-to "add_entry=libc.so.6:memcpy"
	[ "$status" -eq 1 ]
	[[ "$output" == *"'memcpy' is an IFUNC"* ]]
	run "$RAWBPF" run "$UOBJ" --attach-to "add_entry=rb_add"
	[ "$status" -eq 1 ]
	[[ "$output" == *"target 'rb_add': expected PATH:FUNC[+OFFSET]"* ]]
	run "$RAWBPF" run "$UOBJ" --attach-to "nope=$T:rb_add"
	[ "$status" -eq 2 ]
	[[ "$output" == *"--attach-to nope=$T:rb_add: no program 'nope' in uprobe.bpf.o"* ]]
	run "$RAWBPF" run "$UOBJ" --attach-to "add_entry"
	[ "$status" -eq 2 ]
	run "$RAWBPF" run "$SOBJ" --attach-to "tick=$T:rawbpf_test:nope"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no USDT probe rawbpf_test:nope in .note.stapsdt"* ]]
	run "$RAWBPF" run "$UOBJ" --pid 0
	[ "$status" -eq 2 ]
}

# The file offset readelf gives for symbol $2 of file $1: its value through the PT_LOAD segment.
readelf_off() {
	local v o va fs
	v=$(readelf -W --dyn-syms -s "$1" | awk -v s="$2" '($8 == s || index($8, s "@") == 1) && $4 == "FUNC" { print $2; exit }')
	while read -r o va fs; do
		if (( 16#$v >= va && 16#$v < va + fs )); then printf '0x%x\n' $(( 16#$v - va + o )); return; fi
	done < <(readelf -W -l "$1" | awk '$1 == "LOAD" { print $2, $3, $5 }')
}

@test "inspect: resolved offsets (as readelf computes them) and USDT argument specs" {
	bash_path=$(command -v bash)
	run "$RAWBPF" inspect "$UOBJ" --attach-to "add_entry=libc.so.6:malloc" --attach-to "mul_return=$T:rb_mul+4"
	[ "$status" -eq 0 ]
	libc=$(ldconfig -p | awk '$1 == "libc.so.6" && /x86-64|AArch64/ { print $NF; exit }')
	[[ "$output" == *"bash_readline "*"-> $bash_path:readline (file offset $(readelf_off "$bash_path" readline), .dynsym)"* ]]
	[[ "$output" == *"add_entry "*"-> $libc:malloc (file offset $(readelf_off "$libc" malloc), .dynsym"* ]]
	want=$(printf '0x%x' $(( $(readelf_off "$T" rb_mul) + 4 )))
	[[ "$output" == *"-> $T:rb_mul+4 (file offset $want, .symtab)"* ]]
	run "$RAWBPF" inspect "$SOBJ" --attach-to "tick=$T:rawbpf_test:tick"
	[ "$status" -eq 0 ]
	[[ "$output" == *"-> $T rawbpf_test:tick, 2 sites"* ]]
	i=0
	while read -r loc sem; do # readelf's notes, in order: each site as inspect shows it
		args=$(readelf -n "$T" | grep -A3 'Name: tick' | sed -n 's/.*Arguments: //p' | sed -n "$((i + 1))p")
		[[ "$output" == *"site $i: address 0x$loc, file offset 0x"*", semaphore 0x$sem: $args ("* ]]
		i=$((i + 1))
	done < <(readelf -n "$T" | grep -A3 'Name: tick' | sed -n 's/.*Location: 0x0*\([0-9a-f]*\),.*Semaphore: 0x0*\([0-9a-f]*\)$/\1 \2/p')
	[ "$i" -eq 2 ]
	run "$RAWBPF" inspect -j "$SOBJ" --attach-to "tick=$T:rawbpf_test:tick"
	[ "$(jq -r '.programs[0].sites[1].args' <<<"$output")" = "$args" ]
}

@test "uprobe_events: a dead rawbpf's leftover is swept at the next legacy attach; a live pid's and another tool's are kept" {
	need_root
	dead=$(sh -c 'echo $$') # a pid that has exited
	off=$(readelf_off "$T" rb_add)
	in_tracefs sh -c "echo 'p:rawbpf/rawbpf_${dead}_0 $T:$off' >>$TRACEFS/uprobe_events &&
		echo 'p:rawbpf/rawbpf_$$_0 $T:$off' >>$TRACEFS/uprobe_events &&
		echo 'p:othertool/keepme $T:$off' >>$TRACEFS/uprobe_events"
	start_n 1 run "$UOBJ" --prog add_entry --attach=legacy --attach-to "add_entry=$T:rb_add"
	stop_rawbpf INT
	left=$(in_tracefs cat "$TRACEFS/uprobe_events")
	in_tracefs sh -c "echo '-:rawbpf/rawbpf_$$_0' >>$TRACEFS/uprobe_events; echo '-:othertool/keepme' >>$TRACEFS/uprobe_events"
	cat "$BATS_TEST_TMPDIR/err"
	grep -q "removed the stale probe rawbpf/rawbpf_${dead}_0 of dead process $dead" "$BATS_TEST_TMPDIR/err"
	[[ "$left" != *"rawbpf_${dead}_0"* ]]
	[[ "$left" == *"p:rawbpf/rawbpf_$$_0 "* ]]
	[[ "$left" == *"p:othertool/keepme "* ]]
	[ "$RB_STATUS" -eq 0 ]
	nothing_left
}
