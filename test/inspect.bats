#!/usr/bin/env bats
# rawbpf inspect: what an object holds, read from the file alone. The disassembly is checked
# against llvm-objdump on every built object; the rest against known objects' real values.

load helpers

OBJS() { ls "$ROOT"/build/prog/*.bpf.o "$TOBJ"/*.bpf.o; }

# Every instruction of each function as "function<TAB>opcode<TAB>text", the text normalised so
# that rawbpf's and llvm-objdump's spellings of the same instruction compare equal: numbers in
# decimal, jump labels dropped, helper names dropped (their numbers kept), and an operand that a
# relocation fills in (map fd, map value, call target, extern) as RELOC. A function linked into several
# programs is listed once.
norm_insn() {
	perl -F'\t' -lane '
		my ($f, $op, $t, $reloc) = @F;
		$t =~ s/ <[^>]*>$//;
		$t =~ s/\bcall [a-z_0-9]*#(\d+)$/call $1/;
		$t =~ s/= (map|map_value|ksym)\[[^\]]*\](\+\d+)?( ll)?$/= RELOC/;
		$t =~ s/^call pc[+-]\d+$/call RELOC/;
		$t =~ s/^call \S+ \(kfunc\)$/call RELOC/;
		if ($reloc) { $t =~ s/= -?\d+ ll$/= RELOC/; $t =~ s/^call -?\d+$/call RELOC/; }
		$t =~ s/\b0x([0-9a-f]+)\b/hex($1)/ge;
		next if $seen{$f} && $f ne $last;
		$seen{$f} = 1; $last = $f;
		print "$f\t$op\t$t"'
}
ours_insns() {
	"$RAWBPF" inspect -j --disasm "$1" | jq -r '.disassembly[].insns[] | "\(.function)\t\(.opcode)\t\(.asm)"' | norm_insn
}
# From llvm-objdump -dr: a relocation line after an instruction marks it; local labels (LBB0_2)
# do not start a function.
objdump_insns() {
	llvm-objdump -dr "$1" | perl -lne '
		if (/^[0-9a-f]+ <(.*)>:$/) { $f = $1 unless $1 =~ /^(LBB|\.L)/; next }
		if (/^\s+[0-9a-f]+:\s+R_BPF_64_(64|32)\s/) { $pend[-1][3] = 1 if @pend; next }
		if (/^\s+\d+:\t([0-9a-f]{2}) [0-9a-f ]*\t(.*)$/) { push @pend, [$f, hex($1), $2, 0]; next }
		END { print join("\t", @$_) for @pend }' | norm_insn
}

@test "--disasm matches llvm-objdump, instruction by instruction (opcode, registers, offsets, immediates), on every built object" {
	n=0
	for o in $(OBJS); do
		ours=$(ours_insns "$o")
		theirs=$(objdump_insns "$o")
		[ -n "$ours" ] || { echo "$o: no disassembly"; false; }
		# every function rawbpf shows is objdump's, instruction for instruction, in order
		for f in $(cut -f1 <<<"$ours" | uniq); do
			a=$(grep -P "^\Q$f\E\t" <<<"$ours")
			b=$(grep -P "^\Q$f\E\t" <<<"$theirs") || true
			[ "$a" = "$b" ] || { echo "$o: function $f differs (< rawbpf, > llvm-objdump):"; diff <(echo "$a") <(echo "$b"); false; }
			n=$((n + $(wc -l <<<"$a")))
		done
		# and every program is shown
		for f in $(llvm-objdump -t "$o" | awk '$3 == "F" && $4 != ".text" { print $NF }'); do
			grep -qP "^\Q$f\E\t" <<<"$ours" || { echo "$o: program $f missing"; false; }
		done
	done
	echo "# $n instructions compared" >&3
	[ "$n" -gt 300 ]
}

@test "--disasm: helpers by name, maps by name, jumps and calls with their targets" {
	run "$RAWBPF" inspect --disasm "$ROOT/build/prog/hello-map.bpf.o"
	[ "$status" -eq 0 ]
	[[ "$output" == *"     0: (85) call bpf_get_current_uid_gid#15"* ]]
	[[ "$output" == *"     6: (18) r1 = map[counter_table] ll"* ]]
	[[ "$output" == *"    10: (15) if r0 == 0x0 goto +2 <13>"* ]]
	[[ "$output" == *"     3: (7b) *(u64 *)(r10 - 8) = r0"* ]]
	[[ "$output" == *"     5: (07) r2 += -8"* ]]
	[[ "$output" == *"    21: (85) call bpf_map_update_elem#2"* ]]
	run "$RAWBPF" inspect --disasm hello-global
	[[ "$output" == *"     3: (18) r1 = map_value[hello_gl.rodata]+0"* ]]
	[[ "$output" == *"     6: (85) call bpf_trace_printk#6"* ]]
	run "$RAWBPF" inspect --disasm hello-func
	[[ "$output" == *"     0: (85) call pc+12 <get_opcode>"* ]]
	[[ "$output" == *$'get_opcode (.text):\n    13: (79) r0 = *(u64 *)(r1 + 8)\n    14: (95) exit'* ]]
}

@test "inspect hello-map: program, map and relocations with their real values" {
	o="$ROOT/build/prog/hello-map.bpf.o"
	run "$RAWBPF" inspect "$o"
	[ "$status" -eq 0 ]
	[[ "$output" == *'object hello-map.bpf.o: license "GPL"'* ]]
	grep -Eq '^  hello +ksyscall/execve +kprobe +syscall entry execve, 24 instructions$' <<<"$output"
	grep -Eq '^  counter_table +hash +key 8, value 8, entries 10240, flags 0x0: BTF-defined in .maps$' <<<"$output"
	grep -Eq '^  \[ *[0-9]+\] \.maps +PROGBITS +AW +32 +maps \(BTF-defined\)$' <<<"$output"
	# the relocations are where the ELF relocation section puts them (offset / 8)
	want=$(llvm-readelf -r "$o" | awk '/^Relocation section .\.relksyscall/ { on = 1; next } /^$/ { on = 0 }
		on && /R_BPF_64_64/ { print $1, $5 }' | while read -r off sym; do echo "  hello insn $((0x$off / 8)): map fd of $sym"; done)
	[ "$(sed -n '/^relocations:/,/^BTF/p' <<<"$output" | grep insn)" = "$want" ]
	[[ "$want" == *"insn 6: map fd of counter_table"*"insn 18: map fd of counter_table"* ]]
	[[ "$output" == *"BTF: "*" types, "*" bytes of strings; .BTF.ext present: function and line info"* ]]
}

@test "inspect -j: global data as maps, read-only or not; calls; prog array slots" {
	run "$RAWBPF" inspect -j hello-global
	[ "$status" -eq 0 ]
	jq -e '.maps | map({name, section, value_size, flags, read_only}) == [
		{"name": "hello_gl.bss", "section": ".bss", "value_size": 4, "flags": 0, "read_only": false},
		{"name": "hello_gl.rodata", "section": ".rodata", "value_size": 15, "flags": 128, "read_only": true},
		{"name": "hello_gl.data", "section": ".data", "value_size": 4, "flags": 0, "read_only": false}]' <<<"$output"
	jq -e '[.relocations[] | [.at, .kind, .target, .offset]] ==
		[[0, "map_value", "hello_gl.bss", 0], [3, "map_value", "hello_gl.rodata", 0], [7, "map_value", "hello_gl.data", 0]]' <<<"$output"
	jq -e '.programs[0] | .type == "kprobe" and .attach == "syscall entry execve" and .target == "execve"' <<<"$output"
	run "$RAWBPF" inspect -j hello-func
	jq -e '.relocations == [{"in": "hello", "at": 0, "target": "get_opcode", "offset": 13, "kind": "call"}]' <<<"$output"
	jq -e '.programs[0].functions | map(.name) == ["hello", "get_opcode"]' <<<"$output"
	run "$RAWBPF" inspect -j hello-tail
	jq -e '[.relocations[] | select(.kind == "prog_array_slot") | [.in, .at, .target]] | .[0:3] ==
		[["syscall", 59, "hello_exec"], ["syscall", 222, "hello_timer"], ["syscall", 223, "hello_timer"]]' <<<"$output"
	jq -e '[.programs[] | [.name, .attach]] == [["hello_exec", "none (loaded only)"],
		["hello_timer", "none (loaded only)"], ["hello", "raw tracepoint sys_enter"]]' <<<"$output"
	run "$RAWBPF" inspect -j "$TOBJ/legacy_map.bpf.o"
	jq -e '.maps[0] | .definition == "legacy" and .section == "maps"' <<<"$output"
}

@test "inspect -j is valid JSON for every object, with the same instructions as the text" {
	for o in $(OBJS) hello; do
		"$RAWBPF" inspect -j --disasm "$o" >"$BATS_TEST_TMPDIR/j" || { echo "$o: exit $?"; false; }
		jq -e . "$BATS_TEST_TMPDIR/j" >/dev/null || { echo "$o: invalid JSON"; false; }
		a=$(jq '[.disassembly[].insns[]] | length' "$BATS_TEST_TMPDIR/j")
		b=$("$RAWBPF" inspect --disasm "$o" | grep -Ec '^ +[0-9]+: \(')
		[ "$a" -eq "$b" ] || { echo "$o: $a JSON instructions, $b in the text"; false; }
	done
}

@test "inspect -j escapes names: quotes, backslashes, control and non-ASCII bytes" {
	llvm-objcopy --rename-section "ksyscall/execve=kprobe/a\"b\\c"$'\x01\xc3\xa9' \
		"$ROOT/build/prog/hello.bpf.o" "$BATS_TEST_TMPDIR/odd.o"
	run "$RAWBPF" inspect -j "$BATS_TEST_TMPDIR/odd.o"
	[ "$status" -eq 0 ]
	jq -e '.programs[0].section == "kprobe/a\"b\\c\u0001\u00c3\u00a9"' <<<"$output"
	[[ "$output" == *'"section":"kprobe/a\"b\\c\u0001\u00c3\u00a9"'* ]]
}

@test "inspect needs no privileges and makes no system call but reading the object" {
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$RAWBPF" inspect --disasm hello-tail
	[ "$status" -eq 0 ]
	[[ "$output" == *"prog hello_timer, 44 instructions:"* ]]
	[[ "$RAWBPF" != *asan* ]] || skip "the sanitizer build's libc makes its own system calls (and LSan fails under ptrace)"
	strace -f -o "$BATS_TEST_TMPDIR/trace" "$RAWBPF" inspect --disasm -j "$TOBJ/generic.bpf.o" >/dev/null
	calls=$(sed -n 's/^\([0-9]* \)\{0,1\}\([a-z_0-9]*\)(.*/\2/p' "$BATS_TEST_TMPDIR/trace" | sort -u | tr '\n' ' ')
	echo "system calls: $calls"
	for c in $calls; do
		case $c in
		execve|mprotect|mmap|munmap|openat|statx|read|close|getpid|write|exit_group) ;;
		*) echo "unexpected system call: $c"; false ;;
		esac
	done
	# the one file opened is the object
	[ "$(grep -c 'openat(' "$BATS_TEST_TMPDIR/trace")" -eq 1 ]
	grep -Eq 'openat\(AT_FDCWD, ".*/generic.bpf.o", O_RDONLY\|O_CLOEXEC\) = [0-9]+$' "$BATS_TEST_TMPDIR/trace"
}

@test "inspect: a missing or broken object exits 3 with the usual message" {
	run "$RAWBPF" inspect /nonexistent/x.bpf.o
	[ "$status" -eq 3 ]
	[ "$output" = "rawbpf: open /nonexistent/x.bpf.o: No such file or directory" ]
	f="$ROOT/test/corpus/bad-magic.o"
	run "$RAWBPF" inspect "$f"
	[ "$status" -eq 3 ]
	[ "$output" = "rawbpf: $f: $(cat "${f%.o}.expect")" ]
	run "$RAWBPF" inspect
	[ "$status" -eq 2 ]
	run "$RAWBPF" run hello --disasm
	[ "$status" -eq 2 ]
}

@test "inspect of an object rawbpf cannot load: the error, exit 3, and still its sections and code" {
	o="$BATS_TEST_TMPDIR/unknown.o"
	llvm-objcopy --rename-section "tp/syscalls/sys_enter_execve=sk_nosuch/do_nanosleep" "$TOBJ/generic.bpf.o" "$o"
	"$RAWBPF" inspect --disasm "$o" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" && false || [ $? -eq 3 ]
	grep -q "^rawbpf: $o: prog 'generic': unknown section name 'sk_nosuch/do_nanosleep'" "$BATS_TEST_TMPDIR/err"
	grep -Eq '^  \[ *[0-9]+\] sk_nosuch/do_nanosleep +PROGBITS +AX +[0-9]+ +program$' "$BATS_TEST_TMPDIR/out"
	grep -q '^object .*unknown.o: license "GPL"$' "$BATS_TEST_TMPDIR/out"
	grep -q 'r1 = map\[by_pid\] ll$' "$BATS_TEST_TMPDIR/out"
	# the code is objdump's, instruction for instruction
	[ "$("$RAWBPF" inspect -j --disasm "$o" 2>/dev/null | jq -r '.disassembly[].insns[] | "\(.function)\t\(.opcode)\t\(.asm)"' | norm_insn | cut -f2-)" = \
	  "$(objdump_insns "$o" | cut -f2-)" ]
	"$RAWBPF" inspect -j --disasm "$o" 2>/dev/null | jq -e '.disassembly[0].section == "sk_nosuch/do_nanosleep" and (.disassembly[0].insns | length) > 40'
}
