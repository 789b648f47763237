#!/usr/bin/env bats
# CO-RE on this machine's kernel: objects built against declared (not this kernel's) layouts
# read the right fields, each relocation kind resolves to what bpftool shows of the kernel's BTF,
# unresolvable relocations are poisoned (refused when reached, harmless when guarded), --btf
# FILE replaces /sys/kernel/btf/vmlinux, and objects without CO-RE never read the kernel's BTF.

load helpers

setup() {
	need_root
	command -v bpftool >/dev/null || { echo "bpftool is missing (tools/install-deps test)" >&2; return 1; }
	RAW="$BATS_TEST_TMPDIR/btf.txt"
	bpftool btf dump file /sys/kernel/btf/vmlinux format raw >"$RAW"
}

teardown() {
	[ -z "${RB_PID:-}" ] || kill -INT "$RB_PID" 2>/dev/null || true
	no_programs_left
}

# Bit offset of member M of struct S in this kernel's BTF (bpftool's view).
bits_of() {
	awk -v s="'$1'" -v m="'$2'" '$2 == "STRUCT" && $3 == s {f = 1; next} f && /^\[/ {exit}
		f && $1 == m {sub("bits_offset=", "", $3); print $3; exit}' "$RAW"
}
# Field F of the type line of kind K named N: its id ("id") or e.g. "size".
type_of() {
	awk -v k="$1" -v n="'$2'" -v f="$3" '$2 == k && $3 == n {
		if (f == "id") { gsub(/[\[\]]/, "", $1); print $1 } else for (i = 4; i <= NF; i++) if ($i ~ "^" f "=") { sub(f "=", "", $i); print $i }
		exit }' "$RAW"
}

# What inspect says relocation (kind, access) resolves to here.
resolved() {
	sed -n "s/^  [a-z_]* insn [0-9]*: $1 $2 (local type [0-9]*): [0-9]*, here //p" <<<"$output" | head -1
}

@test "CO-RE: pid, tgid, the parent's tgid, comm, the renamed state field and a bitfield read as this kernel lays them out" {
	start_rawbpf run "$TOBJ/core_task.bpf.o"
	# the child C (forked by sh P, which then sleeps) execs env, env execs true
	read -r C P < <(sh -c '(sleep 0.3; exec /usr/bin/env /bin/true) & echo "$! $$"; exec sleep 1')
	sleep 1.2
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	out="$BATS_TEST_TMPDIR/out"
	grep " core[0-9] $C " "$out"
	# both execs: pid = tgid = C, real_parent->tgid = P; comm before each exec: sh, then env
	[ "$(grep -c "bpf_trace_printk: core1 $C $C $P\$" "$out")" -eq 2 ]
	[ "$(grep "bpf_trace_printk: core2 $C " "$out" | sed 's/.*core2 [0-9]* //' | tr '\n' ' ')" = "sh env " ]
	# the parent sleeps (TASK_INTERRUPTIBLE, 1, in the low bits); __state from 5.14 on, state before
	renamed=$(awk -F. '{print ($1 > 5 || ($1 == 5 && $2 >= 14)) ? 1 : 0}' <<<"$(uname -r)")
	while read -r st ren; do
		[ $((st & 0xff)) -eq 1 ] && [ "$ren" -eq "$renamed" ]
	done < <(sed -n "s/.*bpf_trace_printk: core3 $C //p" "$out")
	[ "$(grep -c "bpf_trace_printk: core3 $C " "$out")" -eq 2 ]
	# in_execve: 0 at the system call's entry, 1 inside the exec (sched_process_exec)
	[ "$(grep -c "bpf_trace_printk: core4 $C 0\$" "$out")" -eq 2 ]
	[ "$(grep -c "bpf_trace_printk: core5 $C 1\$" "$out")" -eq 2 ]
}

@test "CO-RE: inspect resolves every kind as the kernel's BTF says (bpftool)" {
	run "$RAWBPF" inspect "$TOBJ/core_kinds.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "^CO-RE relocations: 16, against /sys/kernel/btf/vmlinux ($(grep -c '^\[' "$RAW") types)$" <<<"$output"
	[ "$(resolved byte_off 'task_struct::tgid')" = $(($(bits_of task_struct tgid) / 8)) ]
	[ "$(resolved byte_sz 'task_struct::comm')" = 16 ]
	[ "$(resolved field_exists 'task_struct::pid')" = 1 ]
	[ "$(resolved signed 'task_struct::pid')" = 1 ]
	b=$(bits_of task_struct in_execve)
	[ "$(resolved lshift_u64 'task_struct::in_execve')" = $((64 - (b + 1 - b / 32 * 32))) ]
	[ "$(resolved rshift_u64 'task_struct::in_execve')" = 63 ]
	[ "$(resolved local_type_id 'struct task_struct')" = 5 ]
	[ "$(resolved target_type_id 'struct task_struct')" = "$(type_of STRUCT task_struct id)" ]
	[ "$(resolved type_exists 'struct task_struct')" = 1 ]
	[ "$(resolved type_size 'struct task_struct')" = "$(type_of STRUCT task_struct size)" ]
	[ "$(resolved enumval_exists 'enum pid_type::PIDTYPE_SID')" = 1 ]
	[ "$(resolved enumval_value 'enum pid_type::PIDTYPE_SID')" = "$(grep -m1 "'PIDTYPE_SID' val=" "$RAW" | sed 's/.*val=//')" ]
	[ "$(resolved type_size 'struct list_head')" = "$(type_of STRUCT list_head size)" ]
	[ "$(resolved type_exists 'struct no_such_type')" = 0 ]
	[ "$(resolved byte_off 'task_struct::se.vruntime')" = $((($(bits_of task_struct se) + $(bits_of sched_entity vruntime)) / 8)) ]
	[ "$(resolved byte_off 'task_struct::comm\[3\]')" = $(($(bits_of task_struct comm) / 8 + 3)) ]
	# and the kernel accepts the relocated program
	run "$RAWBPF" load "$TOBJ/core_kinds.bpf.o"
	[ "$status" -eq 0 ]
}

@test "CO-RE: inspect -j lists each relocation with its kind, access and values" {
	run "$RAWBPF" inspect -j "$TOBJ/core_task.bpf.o"
	[ "$status" -eq 0 ]
	jq -e '.core.count == 22 and .core.btf == "/sys/kernel/btf/vmlinux"' <<<"$output"
	jq -e --argjson off $(($(bits_of task_struct real_parent) / 8)) \
		'[.core.relocations[] | select(.access == "task_struct::real_parent")][0] | .in == "core_enter" and .kind == "byte_off" and .local == 8 and .target == $off' <<<"$output"
	jq -e '[.core.relocations[] | select(.poisoned)] | length == 1 and .[0].access == "task_struct___old::state" or length == 0' <<<"$output"
}

@test "CO-RE: each relocation gets the value libbpf patches into the same instruction" {
	clang -O2 -Wall -o "$BATS_TEST_TMPDIR/dump" "$ROOT/test/libbpf_core_dump.c" -lbpf
	for obj in core_task:22 core_kinds:16 core_sub:6; do
		count=${obj#*:} obj=${obj%:*}
		"$BATS_TEST_TMPDIR/dump" "$TOBJ/$obj.bpf.o" >"$BATS_TEST_TMPDIR/libbpf"
		"$RAWBPF" inspect -j "$TOBJ/$obj.bpf.o" |
			jq -r '.core.relocations[] | "\(.in) \(.insn) \(if .poisoned then "poison" else .target end)"' >"$BATS_TEST_TMPDIR/rawbpf"
		n=0
		while read -r prog insn want; do
			read -r code off imm < <(awk -v p="$prog" -v i="$insn" '$1 == p && $2 == i { print $3, $4, $5 }' "$BATS_TEST_TMPDIR/libbpf")
			case $want:$(( code & 7 )) in
			poison:*) got="$code/$imm" want=133/195896080 ;; # a call to helper 0xbad2310
			*:1 | *:2 | *:3) got=$off ;;                      # LDX, ST, STX: the offset
			*) got=$imm ;;                                    # ALU, LD_IMM64: the immediate
			esac
			[ "$got" = "$want" ] || { echo "$obj: $prog insn $insn: libbpf has $got, rawbpf $want"; return 1; }
			n=$((n + 1))
		done <"$BATS_TEST_TMPDIR/rawbpf"
		echo "$obj: $n relocations agree with libbpf"
		[ "$n" -eq "$count" ]
	done
}

@test "CO-RE: type_matches (an object built with clang-16) answers as libbpf does, and as any kernel's types say" {
	command -v clang-16 >/dev/null || { echo "clang-16 is missing (tools/install-deps test)" >&2; return 1; }
	obj="$BATS_TEST_TMPDIR/core_match.bpf.o"
	clang-16 -target bpf -O2 -g -Wall -Werror -I"$ROOT/include" -I"/usr/include/$(uname -m)-linux-gnu" \
		-c "$ROOT/test/core_match.bpf.c" -o "$obj"
	clang -O2 -Wall -o "$BATS_TEST_TMPDIR/dump" "$ROOT/test/libbpf_core_dump.c" -lbpf
	"$BATS_TEST_TMPDIR/dump" "$obj" >"$BATS_TEST_TMPDIR/libbpf"
	"$RAWBPF" inspect -j "$obj" | jq -r '.core.relocations[] | "\(.kind) \(.insn) \(.target)"' >"$BATS_TEST_TMPDIR/rawbpf"
	cat "$BATS_TEST_TMPDIR/rawbpf"
	got=
	while read -r kind insn target; do
		[ "$kind" = type_matches ]
		[ "$(awk -v i="$insn" '$2 == i { print $5 }' "$BATS_TEST_TMPDIR/libbpf")" = "$target" ]
		got="$got$target "
	done <"$BATS_TEST_TMPDIR/rawbpf"
	# task_struct, ___size, in6_addr___len, list_head, ___ptr, pid_type, ___bad, pid_t, smp_call_func_t, ___ret, in6_addr
	[ "$got" = "1 0 0 1 0 1 0 1 1 0 1 " ]
	run "$RAWBPF" load "$obj"
	[ "$status" -eq 0 ]
}

@test "CO-RE: relocations of a subprogram follow it into each program that calls it" {
	start_rawbpf run "$TOBJ/core_sub.bpf.o"
	read -r C P < <(sh -c '(sleep 0.2; exec /bin/true) & echo "$! $$"; exec sleep 0.6')
	sleep 0.8
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	grep -q "bpf_trace_printk: sub_enter $C $P\$" "$BATS_TEST_TMPDIR/out"
	grep -q "bpf_trace_printk: sub_exec $C $P\$" "$BATS_TEST_TMPDIR/out"
}

@test "CO-RE: a relocation no kernel type has is poisoned: refused where reached, with rawbpf's message" {
	run "$RAWBPF" load "$TOBJ/core_poison.bpf.o"
	echo "$output"
	[ "$status" -eq 4 ]
	grep -q "^prog 'guarded' .*: accepted by the verifier$" <<<"$output"
	grep -q "^prog 'unguarded' .*: rejected$" <<<"$output"
	grep -q "^rawbpf: prog 'unguarded': instruction [0-9]*: CO-RE relocation #0 (byte_off of task_struct___fake::no_such_field) has no match in /sys/kernel/btf/vmlinux (.*), and the program reaches it$" <<<"$output"
	grep -q "invalid func unknown#195896080" <<<"$output"
}

@test "CO-RE: the guarded read of a missing field loads and runs, and takes the fallback" {
	start_rawbpf run "$TOBJ/core_poison.bpf.o" --skip=unguarded
	pids=$(exec_pids 1)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	for pid in $pids; do
		grep -q "bpf_trace_printk: guarded $pid -1 0$" "$BATS_TEST_TMPDIR/out"
	done
}

@test "CO-RE: --explain says where the kernel's BTF came from and what was applied and poisoned" {
	run "$RAWBPF" load "$TOBJ/core_task.bpf.o" --explain
	[ "$status" -eq 0 ]
	grep -q '^explain: openat("/sys/kernel/btf/vmlinux") = [0-9]*, .* 5*[0-9]* bytes' <<<"$output"
	grep -q "^explain: CO-RE: 22 relocations against /sys/kernel/btf/vmlinux ($(grep -c '^\[' "$RAW") types): 2[01] applied, [12] poisoned$" <<<"$output"
	# a program left out is not relocated (as libbpf): core_exec's 7 only
	run "$RAWBPF" load "$TOBJ/core_task.bpf.o" --prog core_exec --explain
	[ "$status" -eq 0 ]
	grep -q "^explain: CO-RE: 7 relocations against /sys/kernel/btf/vmlinux (.*): 7 applied, 0 poisoned$" <<<"$output"
}

@test "CO-RE: --btf FILE (raw BTF, or an ELF with .BTF) where /sys/kernel/btf is hidden; none: an error naming --btf" {
	cp /sys/kernel/btf/vmlinux "$BATS_TEST_TMPDIR/vmlinux.btf"
	printf 'int x;\n' | clang -c -x c - -o "$BATS_TEST_TMPDIR/dummy.o"
	llvm-objcopy --add-section .BTF="$BATS_TEST_TMPDIR/vmlinux.btf" "$BATS_TEST_TMPDIR/dummy.o" "$BATS_TEST_TMPDIR/vmlinux.elf"
	cat >"$BATS_TEST_TMPDIR/hidden.sh" <<-SH
		set -e
		mount -t tmpfs none /sys/kernel/btf
		test ! -e /sys/kernel/btf/vmlinux
		"$RAWBPF" load "$TOBJ/core_task.bpf.o" >$BATS_TEST_TMPDIR/none 2>&1 || echo "exit \$?" >>$BATS_TEST_TMPDIR/none
		"$RAWBPF" load "$TOBJ/core_task.bpf.o" --btf "$BATS_TEST_TMPDIR/vmlinux.btf" --explain >$BATS_TEST_TMPDIR/raw 2>&1
		"$RAWBPF" inspect "$TOBJ/core_kinds.bpf.o" --btf="$BATS_TEST_TMPDIR/vmlinux.elf" >$BATS_TEST_TMPDIR/elf 2>&1
	SH
	unshare -m --propagation private sh "$BATS_TEST_TMPDIR/hidden.sh"
	cat "$BATS_TEST_TMPDIR/none" "$BATS_TEST_TMPDIR/raw" "$BATS_TEST_TMPDIR/elf"
	grep -q "^rawbpf: core_task.bpf.o has 22 CO-RE relocations, to be resolved against the kernel's types: this kernel has no BTF (/sys/kernel/btf/vmlinux: No such file or directory): give its BTF with --btf FILE" "$BATS_TEST_TMPDIR/none"
	grep -q "^exit 1$" "$BATS_TEST_TMPDIR/none"
	grep -q "^explain: CO-RE: 22 relocations against $BATS_TEST_TMPDIR/vmlinux.btf " "$BATS_TEST_TMPDIR/raw"
	grep -q "^prog 'core_enter' .*: accepted by the verifier$" "$BATS_TEST_TMPDIR/raw"
	grep -q "^CO-RE relocations: 16, against $BATS_TEST_TMPDIR/vmlinux.elf " "$BATS_TEST_TMPDIR/elf"
	grep -q "byte_off task_struct::tgid (local type 5): 4, here $(($(bits_of task_struct tgid) / 8))$" "$BATS_TEST_TMPDIR/elf"
	# still visible outside the namespace
	[ -e /sys/kernel/btf/vmlinux ]
}

@test "CO-RE: a module's BTF that cannot be read is an error naming it, not a type without candidates" {
	# /sys/kernel/btf as a copy: vmlinux, a module file that is not BTF, one gone since listed
	cat >"$BATS_TEST_TMPDIR/mods.sh" <<-SH
		set -e
		cp /sys/kernel/btf/vmlinux $BATS_TEST_TMPDIR/vmlinux.btf
		mount -t tmpfs none /sys/kernel/btf
		cp $BATS_TEST_TMPDIR/vmlinux.btf /sys/kernel/btf/vmlinux
		ln -s /nonexistent /sys/kernel/btf/gone
		"$RAWBPF" load "$TOBJ/core_kinds.bpf.o" --explain >$BATS_TEST_TMPDIR/gone 2>&1 || echo "exit \$?" >>$BATS_TEST_TMPDIR/gone
		printf 'not BTF at all' >/sys/kernel/btf/broken_mod
		"$RAWBPF" load "$TOBJ/core_kinds.bpf.o" >$BATS_TEST_TMPDIR/broken 2>&1 || echo "exit \$?" >>$BATS_TEST_TMPDIR/broken
	SH
	unshare -m --propagation private sh "$BATS_TEST_TMPDIR/mods.sh"
	cat "$BATS_TEST_TMPDIR/gone" "$BATS_TEST_TMPDIR/broken"
	# (struct no_such_type is in no BTF: the modules are searched for it)
	grep -q '^explain: openat("/sys/kernel/btf", O_DIRECTORY)' "$BATS_TEST_TMPDIR/gone"
	! grep -q '^exit' "$BATS_TEST_TMPDIR/gone"
	grep -q "^rawbpf: core_kinds.bpf.o: .*/sys/kernel/btf/broken_mod: BTF: " "$BATS_TEST_TMPDIR/broken"
	grep -q '^exit 1$' "$BATS_TEST_TMPDIR/broken"
}

@test "CO-RE: a --btf file that is not BTF, or has no .BTF, is refused clearly" {
	head -c 100 /dev/urandom >"$BATS_TEST_TMPDIR/junk"
	run "$RAWBPF" load "$TOBJ/core_task.bpf.o" --btf "$BATS_TEST_TMPDIR/junk"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$BATS_TEST_TMPDIR/junk: BTF: bad magic"* ]]
	run "$RAWBPF" inspect "$TOBJ/core_task.bpf.o" --btf /bin/true
	[ "$status" -eq 0 ]
	[[ "$output" == *"not resolved: core_task.bpf.o has 22 CO-RE relocations, to be resolved against the kernel's types: /bin/true: an ELF file without a .BTF section"* ]]
	run "$RAWBPF" load "$TOBJ/core_task.bpf.o" --btf "$BATS_TEST_TMPDIR/nonexistent"
	[ "$status" -eq 1 ]
	[[ "$output" == *"open $BATS_TEST_TMPDIR/nonexistent: No such file or directory"* ]]
}

@test "objects without CO-RE, and the default job, never read the kernel's BTF" {
	command -v strace >/dev/null
	export ASAN_OPTIONS=detect_leaks=0 # (the sanitizer pass: LeakSanitizer cannot run under ptrace)
	strace -f -e trace=openat,open -o "$BATS_TEST_TMPDIR/trace" "$RAWBPF" load hello
	! grep -q btf "$BATS_TEST_TMPDIR/trace"
	grep -q openat "$BATS_TEST_TMPDIR/trace" || true
	timeout 10 strace -f -e trace=openat,open -o "$BATS_TEST_TMPDIR/trace2" "$RAWBPF" --duration=0.3 >/dev/null 2>&1
	grep -q 'trace_pipe' "$BATS_TEST_TMPDIR/trace2"
	! grep -q btf "$BATS_TEST_TMPDIR/trace2"
	# while a CO-RE object does
	strace -f -e trace=openat -o "$BATS_TEST_TMPDIR/trace3" "$RAWBPF" load "$TOBJ/core_kinds.bpf.o"
	grep -q '/sys/kernel/btf/vmlinux' "$BATS_TEST_TMPDIR/trace3"
}
