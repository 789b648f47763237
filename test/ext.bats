#!/usr/bin/env bats
# --set and externs on this machine's kernel (root): settings a program sees, refused settings,
# a map sized by --set; .kconfig values against this kernel's config and uname; .ksyms: kfuncs,
# an untyped ksym against /proc/kallsyms, a typed one as the kernel allows it; compared with
# libbpf (bpftool) where it takes the same object.

load helpers

OBJ_SET="$TOBJ/settings.bpf.o"

setup() {
	need_root
	PIN=
}

teardown() {
	[ -n "${RB_PID:-}" ] && kill -KILL "$RB_PID" 2>/dev/null
	[ -z "$PIN" ] || { rm -rf "${PIN:?}"/*; umount "$PIN"; }
	true
}

# A bpffs of the test's own for bpftool's pins (/sys/fs/bpf is not mounted everywhere); in PIN.
pin_dir() {
	PIN=$BATS_TEST_TMPDIR/bpffs
	mkdir -p "$PIN"
	mount -t bpf bpf "$PIN" || { echo "cannot mount a bpffs on $PIN" >&2; PIN=; return 1; }
}

# This kernel's config, as libbpf looks for it: /boot/config-<release>, else /proc/config.gz.
kconfig() {
	if [ -r "/boot/config-$(uname -r)" ]; then cat "/boot/config-$(uname -r)"
	elif [ -r /proc/config.gz ]; then zcat /proc/config.gz
	else return 1; fi
}

# Starts a process that execs /bin/true once $BATS_TEST_TMPDIR/go exists; its pid in LATER.
exec_later() {
	( while [ ! -e "$BATS_TEST_TMPDIR/go" ]; do sleep 0.02; done; exec /bin/true ) >/dev/null 2>&1 &
	LATER=$!
}

@test "--set target_pid: only that process's execs appear; without it, every process's do" {
	exec_later
	p=$LATER
	start_rawbpf run "$OBJ_SET" --set sized.max_entries=64 --set target_pid="$p"
	others=$(exec_pids 3)
	touch "$BATS_TEST_TMPDIR/go"
	wait "$p"
	sleep 0.2
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	each_pid_has 1 "exec $p level 1 small 0" "$p"
	[ "$(grep -c 'bpf_trace_printk: exec ' "$BATS_TEST_TMPDIR/out")" -eq 1 ]
	for o in $others; do [ "$(lines_of "$o" "exec $o.*" "$BATS_TEST_TMPDIR/out")" -eq 0 ]; done
	# the same object without the setting reports the other processes
	start_rawbpf run "$OBJ_SET" --set sized.max_entries=64
	others=$(exec_pids 2)
	stop_rawbpf INT
	for o in $others; do [ "$(lines_of "$o" "exec $o level 1 small 0" "$BATS_TEST_TMPDIR/out")" -eq 2 ]; done
	no_programs_left
}

@test "--set: an enum by name and by number, a string, a bool, a .bss integer reach the program" {
	start_rawbpf run "$OBJ_SET" --set sized.max_entries=64 --set level=HIGH --set tag=hello --set loud=true \
		--set small=-5
	pids=$(exec_pids 2)
	stop_rawbpf INT
	each_pid_has 2 "exec [0-9]+ level 7 small -5" $pids
	each_pid_has 2 "tag hello loud 1" $pids
	start_rawbpf run "$OBJ_SET" --set sized.max_entries=64 --set level=3 --set=tag=
	pids=$(exec_pids 1)
	stop_rawbpf INT
	each_pid_has 2 "exec [0-9]+ level 3 small 0" $pids
	each_pid_has 2 "tag  loud 0" $pids
}

@test "--set refuses unknown names, wrong types, values out of range, strings too long: exit 2, named" {
	t() { # ARG MESSAGE
		run "$RAWBPF" load "$OBJ_SET" --set sized.max_entries=8 --set "$1"
		[ "$status" -eq 2 ] || { echo "--set $1: status $status: $output"; return 1; }
		[[ "$output" == *"rawbpf: --set $1: $2"* ]] || { echo "--set $1: $output"; return 1; }
	}
	t nosuch=1 "no global variable of that name in .rodata, .data or .bss; it has small, target_pid, level, tag, loud"
	t target_pid=12ab "not a number; 'target_pid' is int, a signed 4-byte integer (-2147483648 to 2147483647)"
	t target_pid=2147483648 "out of range; 'target_pid' is int"
	t small=-129 "out of range; 'small' is signed char, a signed 1-byte integer (-128 to 127)"
	t tag=12345678 "too long; 'tag' is char[8], a string of at most 7 bytes"
	t loud=yes "expected true, false, 1 or 0; 'loud' is a bool"
	t level=MEDIUM "neither one of its names nor a number; 'level' is enum level"
	t level=4294967296 "out of range; 'level' is enum level"
	t nomap.max_entries=4 "no map of that name"
	t sized.max_entries=-1 "expected a number from 1 to 4294967295"
	t justaname "expected NAME=VALUE, MAP.max_entries=N or MAP.value_size=N"
	run "$RAWBPF" inspect "$OBJ_SET" --set target_pid=1
	[ "$status" -eq 2 ]
	[[ "$output" == *"--set is for run and load"* ]]
	no_programs_left
}

@test "a map the object leaves unsized: refused naming --set MAP.max_entries; --set sizes it" {
	run "$RAWBPF" load "$OBJ_SET"
	[ "$status" -eq 2 ]
	[[ "$output" == *"rawbpf: map 'sized': max_entries is 0 (the object leaves it to user space): give it with --set sized.max_entries=N"* ]]
	start_rawbpf run "$OBJ_SET" --set sized.max_entries=77 --set sized.value_size=16
	bpftool -j map show name sized >"$BATS_TEST_TMPDIR/map"
	stop_rawbpf INT
	[ "$(jq -r '.max_entries' "$BATS_TEST_TMPDIR/map")" = 77 ]
	[ "$(jq -r '.bytes_value' "$BATS_TEST_TMPDIR/map")" = 16 ]
	run "$RAWBPF" load "$OBJ_SET" --set sized.max_entries=5 --set target_pid=1
	[ "$status" -eq 0 ]
	[[ "$output" == *"prog 'set_exec' (tp/syscalls/sys_enter_execve, "*"accepted by the verifier"* ]]
}

@test ".kconfig: LINUX_* and CONFIG_* as this kernel's config and uname say; weak unknown ones 0" {
	cfg=$(kconfig) || { echo "neither /boot/config-$(uname -r) nor /proc/config.gz: nothing to check against"; false; }
	val() { sed -n "s/^$1=//p" <<<"$cfg"; }
	tri() { case $(val "$1") in y) echo 1 ;; m) echo 2 ;; *) echo 0 ;; esac; }
	IFS=.- read -r a b c _ <<<"$(uname -r)"
	kv=$(( (a << 16) + (b << 8) + (c > 255 ? 255 : c) ))
	wrap=0; grep -q " ${SYSCALL_PREFIX:-__x64_sys_}bpf$" /proc/kallsyms && wrap=1
	[ "$(uname -m)" = aarch64 ] && { wrap=0; grep -q " __arm64_sys_bpf$" /proc/kallsyms && wrap=1; }
	jit=$(val CONFIG_BPF_JIT); jit=$(printf '%d' "'${jit:-}")
	[ -n "$(val CONFIG_BPF_JIT)" ] || jit=0
	host=$(val CONFIG_DEFAULT_HOSTNAME | tr -d '"' | cut -c1-7 | sed 's/[()]/\\&/g')
	start_rawbpf run "$TOBJ/kconfig.bpf.o"
	pids=$(exec_pids 1)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	each_pid_has 2 "kc1 $kv 1 $wrap" $pids
	each_pid_has 2 "kc2 $(tri CONFIG_BPF_SYSCALL) $([ "$(val CONFIG_BPF)" = y ] && echo 1 || echo 0) $jit" $pids
	each_pid_has 2 "kc3 $(val CONFIG_HZ) $(val CONFIG_NR_CPUS) $host" $pids
	each_pid_has 2 "kc4 0 0" $pids
}

@test ".kconfig: every value is libbpf's (bpftool loads the same object), LINUX_HAS_SYSCALL_WRAPPER aside" {
	command -v bpftool >/dev/null || { echo "bpftool is not installed"; false; }
	# the .kconfig map of each, typed by BTF, as {name: value}; libbpf lays the values out in
	# another order. LINUX_HAS_SYSCALL_WRAPPER: libbpf asks a kprobe, and says 0 on a kernel
	# without kprobes; rawbpf asks /proc/kallsyms (the .kconfig test above checks it)
	values='[.[0].formatted.value[".kconfig"][] | to_entries[0] | select(.key != "LINUX_HAS_SYSCALL_WRAPPER")] | from_entries'
	pin_dir
	mkdir -p "$PIN/obj/maps"
	bpftool prog loadall "$TOBJ/kconfig.bpf.o" "$PIN/obj" pinmaps "$PIN/obj/maps"
	libbpf=$(bpftool -j map dump pinned "$PIN/obj/maps/kconfig_kconfig" | jq -cS "$values")
	rm -rf "$PIN/obj"
	start_rawbpf run "$TOBJ/kconfig.bpf.o"
	id=$(bpftool -j map show | jq -r '.[] | select(.name | endswith(".kconfi")) | .id')
	ours=$(bpftool -j map dump id "$id" | jq -cS "$values")
	stop_rawbpf INT
	echo "libbpf: $libbpf"
	echo "rawbpf: $ours"
	[ "$(jq length <<<"$libbpf")" -eq 10 ] && [ "$libbpf" = "$ours" ]
}

@test "externs that cannot be resolved: a strong one is refused by name, a weak one reads 0" {
	run "$RAWBPF" load "$TOBJ/extern_missing.bpf.o"
	[ "$status" -eq 1 ]
	[[ "$output" == *"rawbpf: extern 'CONFIG_RAWBPF_NO_SUCH_OPTION' is not set in the kernel config"* ]]
	no_programs_left
}

@test ".ksyms: kfunc calls run, an untyped ksym is its /proc/kallsyms address, a missing weak kfunc is harmless" {
	kfunc=$(bpftool btf dump file /sys/kernel/btf/vmlinux | grep -c "FUNC 'bpf_iter_num_new'" || true)
	[ "$kfunc" -ge 1 ] || { echo "this kernel has no bpf_iter_num_new (6.4+)"; false; }
	addr=$(awk '$3 == "bpf_prog_put" { print $1; exit }' /proc/kallsyms | sed 's/^0*//')
	start_rawbpf run "$TOBJ/ksyms.bpf.o"
	pids=$(exec_pids 2)
	stop_rawbpf INT
	[ "$RB_STATUS" -eq 0 ]
	each_pid_has 2 "ksyms sum 10" $pids
	each_pid_has 2 "ksyms put $addr" $pids
	no_programs_left
}

@test ".ksyms: a typed per-CPU variable: runs where the kernel can find its address, refused as libbpf is where not" {
	if kconfig | grep -qx CONFIG_KALLSYMS_ALL=y; then
		start_rawbpf run "$TOBJ/ksym_var.bpf.o"
		pids=$(exec_pids 2)
		stop_rawbpf INT
		each_pid_has 2 "ksym active 1" $pids
	else
		# without CONFIG_KALLSYMS_ALL the kernel cannot find a variable's address: the verifier
		# refuses the BTF id rawbpf gave it, naming the variable, exactly as with libbpf
		run "$RAWBPF" load "$TOBJ/ksym_var.bpf.o"
		[ "$status" -eq 4 ]
		[[ "$output" == *"ldimm64 failed to find the address for kernel symbol 'bpf_prog_active'."* ]]
		pin_dir
		run bpftool prog loadall "$TOBJ/ksym_var.bpf.o" "$PIN/obj"
		[ "$status" -ne 0 ]
		[[ "$output" == *"ldimm64 failed to find the address for kernel symbol 'bpf_prog_active'."* ]]
	fi
	no_programs_left
}

@test "inspect lists the externs and what each relocation asks for; --disasm names kfuncs and ksyms" {
	run "$RAWBPF" inspect "$TOBJ/ksyms.bpf.o" --disasm
	[ "$status" -eq 0 ]
	[[ "$output" == *"  bpf_rawbpf_no_such_kfunc: kfunc, weak"* ]]
	[[ "$output" == *"  bpf_prog_put: ksym, untyped (its address, from /proc/kallsyms)"* ]]
	[[ "$output" == *"ksyms_exec insn 6: extern bpf_iter_num_new"* ]]
	[[ "$output" == *": (85) call bpf_iter_num_new (kfunc)"* ]]
	grep -Eq ': \(18\) r[0-9] = ksym\[bpf_prog_put\] ll$' <<<"$output"
	run "$RAWBPF" inspect "$TOBJ/kconfig.bpf.o" -j
	[ "$status" -eq 0 ]
	[ "$(jq -c '.externs[] | select(.name == "CONFIG_NR_CPUS")' <<<"$output")" = \
		'{"name":"CONFIG_NR_CPUS","kind":"kconfig","weak":true,"offset":24,"size":8}' ]
}
