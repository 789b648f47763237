#!/usr/bin/env bats
# Running objects written for libbpf (issue 15), on this machine's real kernel (root): choosing
# programs by hand (--prog, --skip), going on without refused ones (--keep-going).

load helpers

setup() {
	need_root
}

teardown() {
	[ -n "${RB_PID:-}" ] && kill -KILL "$RB_PID" 2>/dev/null
	[ -n "${KPTR_OLD:-}" ] && echo "$KPTR_OLD" >/proc/sys/kernel/kptr_restrict
	[ -n "${TGID_OLD:-}" ] && echo "$TGID_OLD" >"$TRACEFS/options/record-tgid"
	[ -n "${TFS_OURS:-}" ] && umount "$TRACEFS"
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
	# record-tgid on before the start: rawbpf's trace_pipe_raw reader gives way to trace_pipe,
	# which prints the column (and trace_marker's lines, which the raw reader leaves out)
	tracefs_mounted || { mount -t tracefs tracefs "$TRACEFS" && TFS_OURS=1; }
	opt="$TRACEFS/options/record-tgid"
	[ -f "$opt" ]
	TGID_OLD=$(cat "$opt")
	echo 1 >"$opt"
	start_rawbpf run hello -j
	msg=$(printf 'rawbpf "q" \\ \t end')
	pid=$(bash -c 'printf "%s" "$0" >'"$TRACEFS/trace_marker"'; echo $$' "$msg")
	stop_rawbpf INT
	echo "$TGID_OLD" >"$opt" && TGID_OLD=
	[ -z "${TFS_OURS:-}" ] || { umount "$TRACEFS" && TFS_OURS=; }
	jq -e . "$BATS_TEST_TMPDIR/out" >/dev/null
	line=$(jq -c "select(.pid == $pid and (.msg | startswith(\"rawbpf\")))" "$BATS_TEST_TMPDIR/out")
	[ -n "$line" ] || { cat "$BATS_TEST_TMPDIR/out"; false; }
	[ "$(echo "$line" | jq -r .msg)" = "$msg" ]
	# the comm as trace_pipe gives it: "<...>" where the kernel did not keep the short-lived
	# bash's name in saved_cmdlines (seen once under ASan here), never anything else
	c=$(echo "$line" | jq -r .comm)
	[ "$c" = bash ] || [ "$c" = "<...>" ] || { echo "$line"; false; }
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

OBJ_BTF="$TOBJ/btf_typed.bpf.o"

# Does this kernel load fentry programs? Decided by loading one (rawbpf load), not assumed.
fentry_loads() { "$RAWBPF" load "$OBJ_BTF" --prog execve_fentry >/dev/null 2>&1; }

@test "tp_btf reads typed arguments: old_pid is the pid of each process the test exec'd" {
	start_rawbpf run "$OBJ_BTF" --prog exec_btf
	pids=$(exec_pids 3)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	grep -q "rawbpf: prog 'exec_btf': attached to tp_btf/sched_process_exec (kernel BTF id [1-9][0-9]*, BPF link)" "$BATS_TEST_TMPDIR/err"
	for pid in $pids; do each_pid_has 2 "tp_btf exec $pid" "$pid"; done
	nothing_left
}

@test "the tracepoint twin alone (--skip the tp_btf one) reads the same pids from the tracefs record" {
	start_rawbpf run "$OBJ_BTF" --skip exec_btf,execve_fentry,execve_kprobe,execve_fexit,execve_kretprobe
	pids=$(exec_pids 2)
	stop_rawbpf INT
	! grep -q "alternatives" "$BATS_TEST_TMPDIR/err"
	for pid in $pids; do each_pid_has 2 "tp exec $pid" "$pid"; done
	nothing_left
}

@test "alternatives: one of each pair attached, the BTF-typed one where the kernel loads it; each exec counted once" {
	if fentry_loads; then want=fentry other=kprobe; else want=kprobe other=fentry; fi
	start_rawbpf run "$OBJ_BTF"
	pids=$(exec_pids 3)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	if "$RAWBPF" load "$OBJ_BTF" --prog execve_fexit >/dev/null 2>&1; then wantr=fexit otherr=kretprobe; else wantr=kretprobe otherr=fexit; fi
	[ "$(grep -c "attached to" "$BATS_TEST_TMPDIR/err")" -eq 3 ]
	grep -q "rawbpf: prog 'execve_fexit' (fexit/[a-z0-9_]*execve) and prog 'execve_kretprobe' (kretprobe/[a-z0-9_]*execve) are alternatives for one event: attaching 'execve_$wantr'" "$BATS_TEST_TMPDIR/err"
	grep -q "rawbpf: prog 'exec_btf' (tp_btf/sched_process_exec) and prog 'exec_tp' (tracepoint/sched/sched_process_exec) are alternatives for one event: attaching 'exec_btf', the BTF-typed one, as the kernel loads it" "$BATS_TEST_TMPDIR/err"
	grep -q "rawbpf: prog 'execve_fentry' (fentry/[a-z0-9_]*execve) and prog 'execve_kprobe' (kprobe/[a-z0-9_]*execve) are alternatives for one event: attaching 'execve_$want'" "$BATS_TEST_TMPDIR/err"
	! grep -q "attached to.*exec_tp\|prog 'exec_tp': attached\|prog 'execve_$other': attached" "$BATS_TEST_TMPDIR/err"
	for pid in $pids; do
		each_pid_has 2 "tp_btf exec $pid" "$pid"
		each_pid_has 0 "tp exec $pid" "$pid"
		each_pid_has 2 "$want execve" "$pid"
		each_pid_has 0 "$other execve" "$pid"
		each_pid_has 2 "$wantr execve" "$pid"
		each_pid_has 0 "$otherr execve" "$pid"
	done
	nothing_left
}

@test "a kernel that refuses fentry gets a message naming the cause (here: EPERM though other programs load)" {
	run "$RAWBPF" load "$OBJ_BTF" --prog execve_fentry
	if [ "$status" -eq 0 ]; then
		# this kernel loads fentry programs: the message must not appear
		[[ "$output" == *"prog 'execve_fentry' (fentry/"*"accepted by the verifier"* ]]
	else
		[ "$status" -eq 1 ]
		[[ "$output" == *"prog 'execve_fentry' (fentry/"*"): load: Operation not permitted, though this kernel loads other programs for us: it refuses fentry/* programs (with no verifier log)"* ]]
		[[ "$output" == *"hint: BPF trampolines are not available to us here"* ]]
	fi
	nothing_left
}

@test "BTF-typed programs: an unknown target is named; without a target --attach-to is asked for" {
	run "$RAWBPF" load "$TOBJ/btf_bad.bpf.o" --prog no_such_fn
	[ "$status" -eq 1 ]
	[[ "$output" == *"prog 'no_such_fn' (fentry/rawbpf_no_such_function): no function 'rawbpf_no_such_function' in the kernel's BTF (/sys/kernel/btf/vmlinux"* ]]
	run "$RAWBPF" load "$TOBJ/btf_bad.bpf.o" --prog no_target
	[ "$status" -eq 1 ]
	[[ "$output" == *"prog 'no_target': section 'fentry' names no kernel function: give one with --attach-to no_target=FUNC"* ]]
	run "$RAWBPF" load "$TOBJ/btf_bad.bpf.o" --prog no_tp
	[ "$status" -eq 1 ]
	[[ "$output" == *"no typedef 'btf_trace_rawbpf_no_such_tp' in the kernel's BTF"* ]]
	nothing_left
}

@test "--attach-to gives a bare fentry section its target (run and load)" {
	run "$RAWBPF" load "$TOBJ/btf_bad.bpf.o" --prog no_target --attach-to no_target=do_nanosleep
	if fentry_loads; then
		[ "$status" -eq 0 ]
		[[ "$output" == *"prog 'no_target' (fentry, 2 instructions): accepted by the verifier"* ]]
	else
		[ "$status" -eq 1 ]
		[[ "$output" == *"prog 'no_target' (fentry): load: Operation not permitted, though this kernel loads other programs for us: it refuses fentry* programs"* ]]
	fi
	nothing_left
}

OBJ_TYPED="$TOBJ/typed_out.bpf.o"

# A process with a known, long comm that execs once: prints its pid.
long_comm_exec() {
	cp /bin/dash "$BATS_TEST_TMPDIR/longcommname"
	"$BATS_TEST_TMPDIR/longcommname" -c 'exec /bin/true' &
	echo $!
	wait $!
}

@test "--record decodes a perf/ring buffer's records: a struct with an array and a char array, and a short record" {
	start_rawbpf run "$OBJ_TYPED" --record "events=struct rec" --prog rec_execve
	pid=$(long_comm_exec)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	grep -qx "{pid=$pid vals=\[1, 2, 3\] comm=longcommname}" "$BATS_TEST_TMPDIR/out" || { cat "$BATS_TEST_TMPDIR/out"; false; }
	# the second record is cut after 4 bytes of comm: what it holds is shown
	grep -qx "{pid=$pid vals=\[1, 2, 3\] comm=long}" "$BATS_TEST_TMPDIR/out"
	# -j, the type named without "struct"
	start_rawbpf run "$OBJ_TYPED" --prog rec_execve -j --record events=rec
	pid=$(long_comm_exec)
	stop_rawbpf INT
	[ "$(jq -c "select(.type == \"record\" and .value.pid == $pid and .value.vals == [1,2,3]) | .value.comm | select(startswith(\"long\"))" "$BATS_TEST_TMPDIR/out" | sort | tr '\n' ' ')" = '"long" "longcommname" ' ]
	# without --record the same records are hex
	start_rawbpf run "$OBJ_TYPED" --prog rec_execve
	pid=$(long_comm_exec)
	stop_rawbpf INT
	hexpid=$(printf '%08x' "$pid" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/')
	grep -qx "0x${hexpid}010000000200000003000000$(printf longcommname | od -An -tx1 | tr -d ' \n')00000000" "$BATS_TEST_TMPDIR/out"
	nothing_left
}

@test "--record: an unknown map or type is named" {
	run "$RAWBPF" run "$OBJ_TYPED" --record "nosuch=struct rec"
	[ "$status" -eq 2 ]
	[ "$output" = "rawbpf: --record nosuch=struct rec: no map 'nosuch' in typed_out.bpf.o" ]
	run "$RAWBPF" run "$OBJ_TYPED" --record "events=struct nosuch"
	[ "$status" -eq 2 ]
	[ "$output" = "rawbpf: --record events=struct nosuch: no type 'nosuch' in typed_out.bpf.o's BTF" ]
	run "$RAWBPF" run "$OBJ_TYPED" --record events
	[ "$status" -eq 2 ]
}

@test "a log2 histogram (struct with slots[]) prints as bars; -j gives the counts" {
	start_rawbpf run "$OBJ_TYPED" --prog hist_enter --interval=0.3
	# values 1 x5 (slot 0), 3 x2 (slot 1), 100 x10 (slot 6), 1000 x1 (slot 9)
	python3 -c 'import ctypes
s = ctypes.CDLL(None).syscall
for v in [1] * 5 + [3] * 2 + [100] * 10 + [1000]: s(20000 + v)'
	sleep 0.5
	stop_rawbpf INT
	bar() { printf '%*s' "$1" '' | tr ' ' @; printf '%*s' $((40 - $1)) ''; }
	expected="hist: key 0
$(printf '%-24s %8d |%s|\n' "[0, 2)" 5 "$(bar 20)" "[2, 4)" 2 "$(bar 8)" "[4, 8)" 0 "$(bar 0)" "[8, 16)" 0 "$(bar 0)" \
	"[16, 32)" 0 "$(bar 0)" "[32, 64)" 0 "$(bar 0)" "[64, 128)" 10 "$(bar 40)" "[128, 256)" 0 "$(bar 0)" \
	"[256, 512)" 0 "$(bar 0)" "[512, 1024)" 1 "$(bar 4)")"
	[ "$(tail -n 11 "$BATS_TEST_TMPDIR/out")" = "$expected" ] || { diff <(tail -n 11 "$BATS_TEST_TMPDIR/out") <(echo "$expected"); false; }
	start_rawbpf run "$OBJ_TYPED" --prog hist_enter --interval=0.3 -j
	python3 -c 'import ctypes
s = ctypes.CDLL(None).syscall
for v in [7] * 3 + [4095]: s(20000 + v)'
	sleep 0.5
	stop_rawbpf INT
	[ "$(jq -c 'select(.map == "hist") | .entries[0].value.slots' "$BATS_TEST_TMPDIR/out" | tail -1)" = "[0,0,3,0,0,0,0,0,0,0,0,1]" ]
	nothing_left
}

@test "probe reports fentry/fexit, tp_btf, the BPF LSM and module BTF as loading them here shows" {
	run "$RAWBPF" probe -j
	echo "$output" | jq -e . >/dev/null
	f() { echo "$output" | jq -r --arg n "$1" '.features[] | select(.name == $n) | .ok'; }
	if fentry_loads; then [ "$(f fentry/fexit)" = true ]; else [ "$(f fentry/fexit)" = false ]; fi
	if "$RAWBPF" load "$OBJ_BTF" --prog exec_btf >/dev/null 2>&1; then [ "$(f tp_btf)" = true ]; else [ "$(f tp_btf)" = false ]; fi
	# kernel BTF: as many types as bpftool lists, the file's size
	[ "$(echo "$output" | jq -r '.features[] | select(.name == "kernel BTF") | "\(.value) \(.how)"')" = \
		"$(bpftool btf dump file /sys/kernel/btf/vmlinux | grep -c '^\[') types /sys/kernel/btf/vmlinux, $(stat -c %s /sys/kernel/btf/vmlinux) bytes" ]
	mods=$(find /sys/kernel/btf -mindepth 1 -maxdepth 1 ! -name vmlinux | wc -l)
	[ "$(echo "$output" | jq -r '.features[] | select(.name == "module BTF") | .value')" = "$mods modules" ]
	# BPF LSM: yes only if an lsm program loads here and, where securityfs tells, bpf is an active LSM
	lsms=$(cat /sys/kernel/security/lsm 2>/dev/null || echo unknown)
	if "$RAWBPF" load "$TOBJ/lsm_fmod.bpf.o" --prog lsm_exec >/dev/null 2>&1 && [[ "$lsms" == unknown || ",$lsms," == *,bpf,* ]]; then
		[ "$(f "BPF LSM")" = true ]
	else
		[ "$(f "BPF LSM")" = false ]
	fi
	nothing_left
}

@test "fmod_ret and lsm programs: loaded for their BTF targets, or refused with the cause named" {
	for p in deny_open lsm_exec; do
		run "$RAWBPF" load "$TOBJ/lsm_fmod.bpf.o" --prog $p --set target_pid=1
		if [ "$status" -eq 0 ]; then
			[[ "$output" == *"prog '$p' ("*"): accepted by the verifier"* ]]
		else
			# this kernel refuses BPF trampolines to us (as fentry): the message says so, by section
			[ "$status" -eq 1 ]
			[[ "$output" == *"prog '$p' ("*"): load: Operation not permitted, though this kernel loads other programs for us: it refuses "*"/* programs"* ]]
		fi
	done
	run "$RAWBPF" inspect "$TOBJ/lsm_fmod.bpf.o"
	[[ "$output" == *"deny_open        fmod_ret/security_file_open  tracing        BTF-typed security_file_open"* ]]
	[[ "$output" == *"lsm_exec         lsm/bprm_check_security      lsm            BTF-typed bprm_check_security"* ]]
	nothing_left
}

# The symbols of stack addresses as this kernel's /proc/kallsyms gives them, worked out here from
# bpftool's raw dump of the stack map: the nearest text symbol at or below each address (the
# first listed of several at one address), "name+0xOFF [module]", over rawbpf's 47 bytes.
kallsyms_stacks() {
	python3 - "$1" <<'PY'
import bisect, json, sys
syms = {}
for l in open("/proc/kallsyms"):
    f = l.rstrip("\n").split(None, 2)
    if len(f) == 3 and f[1] in "tT" and int(f[0], 16):
        syms.setdefault(int(f[0], 16), f[2].replace("\t", " ")[:47])
addrs = sorted(syms)
for e in json.loads(sys.argv[1]):
    key = int.from_bytes(bytes(int(x, 16) for x in e["key"]), "little")
    v = bytes(int(x, 16) for x in e["value"])
    out = []
    for i in range(0, len(v), 8):
        a = int.from_bytes(v[i:i + 8], "little")
        if not a:
            break
        j = bisect.bisect_right(addrs, a) - 1
        name, _, mod = syms[addrs[j]].partition(" ")
        out.append("%s+0x%x%s" % (name, a - addrs[j], " " + mod if mod else ""))
    print("stacks: %d => [%s]" % (key, ", ".join(out)))
PY
}

@test "stacks: a stack trace map's values and a record's kstack[] print as kernel symbols, as /proc/kallsyms has them" {
	start_rawbpf run "$TOBJ/stacks.bpf.o" --interval=0.3
	pids=$(exec_pids 2)
	sleep 0.5
	# while the program is loaded: its own frame is in kallsyms only then
	kallsyms_stacks "$(bpftool -j map dump name stacks)" >"$BATS_TEST_TMPDIR/want"
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	[ -s "$BATS_TEST_TMPDIR/want" ]
	# every stack bpftool saw, as rawbpf's last snapshot shows it
	tail -n "$(wc -l <"$BATS_TEST_TMPDIR/want")" "$BATS_TEST_TMPDIR/out" | grep '^stacks: ' >"$BATS_TEST_TMPDIR/got" || true
	while read -r l; do grep -qxF "$l" "$BATS_TEST_TMPDIR/got" || { echo "missing: $l"; cat "$BATS_TEST_TMPDIR/out"; false; }; done <"$BATS_TEST_TMPDIR/want"
	grep -q "$(execve_fn)+0x" "$BATS_TEST_TMPDIR/want"
	# each exec's record: its kstack is its stack id's stack but for the program's own frames (another
	# call site in it; some kernels show it twice in kstack[], which then holds a frame less: a
	# prefix); ustack holds user addresses, as hex
	for pid in $pids; do
		[ "$(grep -c "^{pid=$pid stack_id=" "$BATS_TEST_TMPDIR/out")" -eq 2 ] # dash, then true
		rec=$(grep -m1 "^{pid=$pid stack_id=" "$BATS_TEST_TMPDIR/out")
		id=$(echo "$rec" | sed 's/^{pid=[0-9]* stack_id=\([0-9]*\) .*/\1/')
		recf=$(echo "$rec" | sed 's/.* kstack=\[//; s/\] ustack=.*//; s/bpf_prog_[^,]*, //g')
		want=$(grep "^stacks: $id => " "$BATS_TEST_TMPDIR/want" | sed 's/^[^[]*\[//; s/\]$//; s/bpf_prog_[^,]*, //g')
		[ -n "$want" ] && [ -n "$recf" ]
		[[ "$want" == "$recf"* ]] || { echo "$rec / $want"; false; }
		[[ "$rec" =~ ustack=\[0x[0-7]?[0-9a-f]{1,11}[],] ]]
	done
	nothing_left
}

@test "stacks: -j gives the frames as strings; kallsyms is read only when a new address is printed" {
	start_rawbpf run "$TOBJ/stacks.bpf.o" -j --explain
	pids=$(exec_pids 2)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	jq -e . "$BATS_TEST_TMPDIR/out" >/dev/null
	for pid in $pids; do
		[ "$(jq -c --argjson pid "$pid" 'select(.type == "record" and .value.pid == $pid) |
			select((.value.kstack | length > 2 and all(test("^[A-Za-z0-9_.]+\\+0x[0-9a-f]+( \\[[a-z0-9_]+\\])?$"))) and
			(.value.ustack[0] | test("^0x[0-9a-f]+$")))' "$BATS_TEST_TMPDIR/out" | wc -l)" -eq 2 ]
	done
	[ "$(jq -c --arg fn "$(execve_fn)+0x" 'select(.type == "map" and .map == "stacks") | .entries[].value[] |
		select(startswith($fn))' "$BATS_TEST_TMPDIR/out" | wc -l)" -ge 1 ]
	# no kallsyms before the first stack is printed; then a pass only for addresses not seen before
	# (every exec here has one stack: fewer passes than records)
	n=$(grep -c 'open("/proc/kallsyms")' "$BATS_TEST_TMPDIR/err")
	[ "$n" -ge 1 ] && [ "$n" -lt "$(jq -c 'select(.type == "record")' "$BATS_TEST_TMPDIR/out" | wc -l)" ]
	! sed -n '1,/attached to/p' "$BATS_TEST_TMPDIR/err" | grep -q kallsyms
	nothing_left
}

@test "stacks: where /proc/kallsyms shows no addresses, stacks are hex and a notice says why, once" {
	KPTR_OLD=$(cat /proc/sys/kernel/kptr_restrict)
	echo 2 >/proc/sys/kernel/kptr_restrict # root too reads every address as 0
	start_rawbpf run "$TOBJ/stacks.bpf.o" --interval=0.3
	exec_pids 2 >/dev/null
	sleep 0.5
	stop_rawbpf INT
	echo "$KPTR_OLD" >/proc/sys/kernel/kptr_restrict
	[ "$RB_STATUS" -eq 0 ]
	[ "$(grep -c 'notice: /proc/kallsyms: all addresses 0 (kptr_restrict): stacks in hex' "$BATS_TEST_TMPDIR/err")" -eq 1 ]
	grep -q '^stacks: [0-9]* => \[0xffff[0-9a-f]*, 0xffff' "$BATS_TEST_TMPDIR/out"
	! grep -q '+0x' "$BATS_TEST_TMPDIR/out"
	nothing_left
}

# Two floods on CPU 0: the kernel reports the first one's losses with the second's first record
# (a perf buffer tells its losses only when it has room again). The second waits until rawbpf has
# shown the first one's records (its output has stopped growing) and so freed the buffer, then
# PATTERN (the loss report) is waited for in FILE: a slow machine gets time, not a failure (CI
# once failed here with fixed 0.3 s pauses); a loss never reported still fails the test below.
perf_flood() {
	taskset -c 0 python3 -c 'import ctypes; ctypes.CDLL(None).syscall(20777)'
}
perf_floods() { # PATTERN FILE
	local n prev=-1
	perf_flood
	for _ in $(seq 100); do
		n=$(wc -c <"$BATS_TEST_TMPDIR/out")
		[ "$n" -gt 0 ] && [ "$n" -eq "$prev" ] && break
		prev=$n
		sleep 0.1
	done
	perf_flood
	for _ in $(seq 100); do
		grep -q "$1" "$2" && break
		sleep 0.1
	done
}

@test "run -j: records a perf buffer lost come as a JSON object on stdout; every record is either shown or counted" {
	start_rawbpf run "$TOBJ/perf_lost.bpf.o" -j
	perf_floods '"type":"lost"' "$BATS_TEST_TMPDIR/out"
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	jq -e . "$BATS_TEST_TMPDIR/out" >/dev/null
	! grep -q "lost" "$BATS_TEST_TMPDIR/err"
	lost=$(jq -c 'select(.type == "lost")' "$BATS_TEST_TMPDIR/out")
	[ "$(echo "$lost" | wc -l)" -eq 1 ] || { cat "$BATS_TEST_TMPDIR/out" | cut -c1-100; false; }
	[ "$(echo "$lost" | jq -r '"\(.map) \(.cpu)"')" = "out 0" ]
	# the first flood: what came before the loss report, plus the loss, is its 256 records
	before=$(sed -n '/"type":"lost"/q;/"type":"record","map":"out","cpu":0,/p' "$BATS_TEST_TMPDIR/out" | wc -l)
	[ "$before" -ge 1 ] && [ $((before + $(echo "$lost" | jq .lost))) -eq 256 ]
	nothing_left
}

@test "run without -j: a perf buffer's lost records are told on stderr" {
	start_rawbpf run "$TOBJ/perf_lost.bpf.o"
	perf_floods "records lost" "$BATS_TEST_TMPDIR/err"
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	grep -q "^rawbpf: perf buffer 'out' CPU 0: [0-9]* records lost$" "$BATS_TEST_TMPDIR/err"
	! grep -q lost "$BATS_TEST_TMPDIR/out"
	nothing_left
}
