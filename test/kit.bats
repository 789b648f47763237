#!/usr/bin/env bats
# The teaching and field kit on this machine's kernel: probe (what the kernel offers), --explain
# (every kernel call, in order), each command's --help, make install and the man page.

load helpers

teardown() {
	[ -n "${WE_MOUNTED:-}" ] && umount "$TRACEFS" 2>/dev/null
	true
}

# The value probe found for NAME, from its text output.
probe_value() {
	sed -n "s/^$1  *\([^ ].*\)$/\1/p" <<<"$output" | sed 's/   .*//'
}

# What probe must answer is read from the kernel here: sysfs for the PMUs, tracefs (in a private
# mount namespace when it is not mounted) for kprobe_events and the tracepoint's id.
@test "probe on this kernel: kprobes or the tracepoint instead, as the kernel has them; the default job runs (exit 0)" {
	need_root
	was_mounted=no
	tracefs_mounted && was_mounted=yes
	run "$RAWBPF" probe
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(probe_value 'bpf syscall')" = yes ]
	if has_kprobe_pmu; then
		grep -Eq "^kprobe PMU +type $(cat /sys/bus/event_source/devices/kprobe/type) +/sys/bus/event_source/devices/kprobe/type$" <<<"$output"
	else
		grep -Eq '^kprobe PMU +no +/sys/bus/event_source/devices/kprobe/type: No such file or directory$' <<<"$output"
	fi
	if has_kprobe_events; then
		grep -Eq "^kprobe_events +yes +$TRACEFS/kprobe_events$" <<<"$output"
	else
		[ "$(probe_value 'kprobe_events')" = no ]
	fi
	tp_id=$(in_tracefs cat "$TRACEFS/events/syscalls/sys_enter_execve/id")
	[ -n "$tp_id" ]
	grep -Eq "^syscall tracepoint +yes +$TRACEFS/events/syscalls/sys_enter_execve/id = $tp_id$" <<<"$output"
	[ "$(probe_value 'raw tracepoints')" = yes ]
	[ "$(probe_value 'ring buffers')" = yes ]
	# the kernel's BTF, read by rawbpf's own reader: as many types as bpftool finds
	[ "$(probe_value 'kernel BTF')" = "$(bpftool btf dump file /sys/kernel/btf/vmlinux | grep -c '^\[') types" ]
	[ "$(probe_value 'tracefs')" = "$TRACEFS" ]
	[ "$(probe_value 'syscall prefix')" = __x64_sys_ ] || [ "$(uname -m)" != x86_64 ]
	if [ -e /sys/bus/event_source/devices/uprobe/type ]; then
		[ "$(probe_value 'uprobe PMU')" = "type $(cat /sys/bus/event_source/devices/uprobe/type)" ]
	fi
	[ "$(probe_value 'JIT')" = "$(case $(cat /proc/sys/net/core/bpf_jit_enable) in 0) echo 'off (interpreter)' ;; 2) echo 'on (debug)' ;; *) echo on ;; esac)" ]
	[ "$(probe_value 'unprivileged BPF')" = "$([ "$(cat /proc/sys/kernel/unprivileged_bpf_disabled)" = 0 ] && echo allowed || echo disabled)" ]
	if has_kprobes; then
		grep -Eq '^default job +runs +kprobe on the execve function; trace_pipe$' <<<"$output"
	else
		grep -Eq '^default job +runs +no kprobes: the syscalls/sys_enter_execve tracepoint instead' <<<"$output"
	fi
	# nothing left behind: no program, map, link or event, tracefs as it was
	nothing_left
	[ "$(tracefs_mounted && echo yes || echo no)" = "$was_mounted" ]
}

@test "probe -j: valid JSON, the same answers as the text" {
	need_root
	run "$RAWBPF" probe
	text=$output
	run "$RAWBPF" probe -j
	[ "$status" -eq 0 ]
	jq -e . <<<"$output" >/dev/null
	jq -e '.release == "'"$(uname -r)"'" and .machine == "'"$(uname -m)"'"' <<<"$output"
	pmu='"no", false'
	has_kprobe_pmu && pmu="\"type $(cat /sys/bus/event_source/devices/kprobe/type)\", true"
	jq -e '[.features[] | select(.name == "kprobe PMU" or .name == "default job") | [.name, .value, .ok]] ==
		[["kprobe PMU", '"$pmu"'], ["default job", "runs", true]]' <<<"$output"
	# every answer of the text is in the JSON
	n=$(jq '.features | length' <<<"$output")
	[ "$n" -eq "$(($(wc -l <<<"$text") - 1))" ]
	for i in $(seq 0 $((n - 1))); do
		name=$(jq -r ".features[$i].name" <<<"$output")
		value=$(jq -r ".features[$i].value" <<<"$output")
		grep -qF -- "$(printf '%-19s %s' "$name" "$value")" <<<"$text" || { echo "$name: $value not in the text"; false; }
	done
	nothing_left
}

@test "probe without privileges: the default job cannot run here, exit 1, saying why" {
	need_root
	run setpriv --inh-caps=-all --bounding-set=-all "$RAWBPF" probe
	echo "$output"
	[ "$status" -eq 1 ]
	grep -Eq '^bpf syscall +yes +bpf\(BPF_PROG_LOAD\) of a 2-instruction tracepoint program = -1 \(Operation not permitted\)$' <<<"$output"
	grep -Eq '^privileges +not enough +CapEff 0 in /proc/self/status' <<<"$output"
	grep -Eq '^default job +cannot run +bpf\(\) refused to load a tracing program' <<<"$output"
}

@test "probe --explain: every program, map and attachment it creates is closed" {
	need_root
	run "$RAWBPF" probe --explain
	[ "$status" -eq 0 ]
	grep -q '^explain: bpf(BPF_PROG_LOAD, prog_type=tracepoint, .*name="rawbpf_probe"' <<<"$output"
	grep -q '^explain: bpf(BPF_MAP_CREATE, map_type=27 (ringbuf)' <<<"$output"
	grep -q '^explain: bpf(BPF_LINK_CREATE, prog_fd=[0-9]*, target_fd=0, attach_type=41) = -1 (Bad file descriptor)' <<<"$output"
	grep -q '^explain: bpf(BPF_RAW_TRACEPOINT_OPEN, name="\?sys_enter' <<<"$output"
	# each fd a bpf() call returned is closed later
	for fd in $(sed -n 's/^explain: bpf(BPF_[A-Z_]*,.*) = \([0-9][0-9]*\)  --.*/\1/p' <<<"$output"); do
		grep -q "^explain: close($fd) = 0" <<<"$output" || { echo "fd $fd never closed"; false; }
	done
	if tracefs_mounted; then
		! grep -q '^explain: mount("tracefs"' <<<"$output" || false
	else
		grep -q '^explain: mount("tracefs"' <<<"$output"
		grep -q '^explain: umount("/sys/kernel/tracing") = 0' <<<"$output"
	fi
	nothing_left
}

@test "--explain narrates the default job in order: load, perf_event_open, attach ioctl, detach" {
	need_root
	run timeout 30 "$RAWBPF" --explain --duration=0.5
	[ "$status" -eq 0 ]
	# the narration this kernel must get: a kprobe through the PMU, or the tracepoint
	if has_kprobe_pmu; then
		type=kprobe
		event="perf_event_open(type=$(cat /sys/bus/event_source/devices/kprobe/type) (kprobe PMU), config=0x0, config1=\"$(execve_fn)\", config2=0x0, pid=-1, cpu=0) = [0-9]"
		id='^explain: read("/sys/bus/event_source/devices/kprobe/type'
		[ -n "$(execve_fn)" ]
	elif has_kprobe_events; then
		skip "kprobe_events without a kprobe PMU: the legacy path's narration is not written down here"
	else
		type=tracepoint
		event='perf_event_open(type=PERF_TYPE_TRACEPOINT, config=[0-9]* (syscalls/sys_enter_execve), pid=-1, cpu=0) = [0-9]'
		id='^explain: read(".*/events/syscalls/sys_enter_execve/id") = "[0-9]*"'
	fi
	last=0
	for re in '^explain: signalfd4(' \
		'^explain: open(".*/trace_pipe") = [0-9]' \
		'^explain: read(trace_pipe) until EAGAIN: [0-9]* bytes discarded' \
		"^explain: bpf(BPF_PROG_LOAD, prog_type=$type, .*name=\"hello\", insn_cnt=13, license=\"GPL\"" \
		"^explain: $event" \
		'^explain: ioctl([0-9]*, PERF_EVENT_IOC_SET_BPF, [0-9]*) = 0  -- ' \
		'^explain: ppoll(signalfd, trace_pipe, 0 perf buffers, 0 ring buffers)' \
		'^explain: close([0-9]*) = 0  -- the perf event'; do
		n=$(grep -n -m 1 -- "$re" <<<"$output" | cut -d: -f1)
		[ -n "$n" ] || { echo "not narrated: $re"; echo "$output"; false; }
		[ "$n" -gt "$last" ] || { echo "out of order (line $n, after line $last): $re"; false; }
		last=$n
	done
	[ "$type" = kprobe ] || grep -q -- "$id" <<<"$output"
	# the fds in the narration are the ones the calls returned
	prog=$(sed -n 's/^explain: bpf(BPF_PROG_LOAD,.*) = \([0-9]*\)  --.*/\1/p' <<<"$output")
	pfd=$(sed -n 's/^explain: perf_event_open(.*) = \([0-9]*\)  --.*/\1/p' <<<"$output")
	[ -n "$prog" ]
	[ -n "$pfd" ]
	grep -q "^explain: ioctl($pfd, PERF_EVENT_IOC_SET_BPF, $prog) = 0" <<<"$output"
	grep -q "^explain: close($pfd) = 0  -- the perf event" <<<"$output"
	nothing_left
}

@test "--explain: maps, their BTF, perf buffers and their mappings" {
	need_root
	run timeout 30 "$RAWBPF" run hello-buffer --explain --duration=0.3
	[ "$status" -eq 0 ]
	grep -q '^explain: read("/sys/devices/system/cpu/possible") = "' <<<"$output"
	grep -q '^explain: bpf(BPF_MAP_CREATE, map_type=4 (perf_event_array), name="output"' <<<"$output"
	grep -q '^explain: perf_event_open(type=PERF_TYPE_SOFTWARE, config=PERF_COUNT_SW_BPF_OUTPUT' <<<"$output"
	grep -q '^explain: mmap(NULL, [0-9]*, PROT_READ|PROT_WRITE, MAP_SHARED, [0-9]*, 0) = 0x[0-9a-f]*  -- perf buffer' <<<"$output"
	grep -q '^explain: ioctl([0-9]*, PERF_EVENT_IOC_ENABLE) = 0' <<<"$output"
	grep -q '^explain: bpf(BPF_MAP_UPDATE_ELEM, map_fd=[0-9]* (output), key=0)' <<<"$output"
	grep -q '^explain: munmap(0x[0-9a-f]*, [0-9]*) = 0  -- the perf buffer' <<<"$output"
	nothing_left
}

@test "each command has its own short --help; help COMMAND is the same" {
	for c in run load inspect probe; do
		run "$RAWBPF" "$c" --help
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == "usage: rawbpf $c"* ]] || { echo "$c: ${lines[0]}"; false; }
		[ "${#lines[@]}" -le 6 ]
		help=$output
		run "$RAWBPF" help "$c"
		[ "$output" = "$help" ]
	done
	run "$RAWBPF" inspect --help
	[[ "$output" == *"--disasm"* && "$output" == *"no privileges"* ]]
	run "$RAWBPF" --help
	[[ "$output" == *"inspect OBJ"* && "$output" == *"probe "* && "$output" == *"-j, --json"* ]]
	run "$RAWBPF" help nosuch
	[ "$status" -eq 2 ]
	run "$RAWBPF" probe extra
	[ "$status" -eq 2 ]
	[[ "$output" == *"unexpected argument 'extra'"* ]]
	run "$RAWBPF" load hello -j
	[ "$status" -eq 2 ]
	[[ "$output" == *"load: -j is for run, inspect and probe"* ]]
	# each option is checked against the command, none silently ignored
	t() { # EXPECTED ARGS...: a usage error naming the option and its commands, nothing done
		local want=$1
		shift
		run "$RAWBPF" "$@"
		[ "$status" -eq 2 ] && [ "${lines[0]}" = "rawbpf: $want" ] || { echo "$* -> $status: $output"; false; }
	}
	t "probe: --btf is for run, load and inspect" probe --btf /nonexistent
	t "run: --disasm is for inspect" run hello --disasm
	t "inspect: --pid is for run" inspect hello --pid=1
	t "load: --duration is for run" load hello --duration 1
	t "probe: --prog is for run and load" probe --prog=hello
	t "inspect: --keep-going is for run" inspect hello --keep-going
	# and the ones a command takes still pass the check (inspect reads files only: no privileges)
	run "$RAWBPF" inspect hello --explain --btf /nonexistent --attach-to hello=x
	[[ "$output" != *" is for "* ]]
}

@test "make install puts the binary and the man page under DESTDIR and PREFIX" {
	[ -x "$ROOT/build/rawbpf" ] || skip "build/rawbpf not built"
	d="$BATS_TEST_TMPDIR/stage"
	make -C "$ROOT" -s -o build/rawbpf install DESTDIR="$d" PREFIX=/opt/rb
	[ -x "$d/opt/rb/bin/rawbpf" ]
	cmp "$ROOT/build/rawbpf" "$d/opt/rb/bin/rawbpf"
	[ "$(stat -c %a "$d/opt/rb/share/man/man1/rawbpf.1")" = 644 ]
	"$d/opt/rb/bin/rawbpf" --version
	make -C "$ROOT" -s -o build/rawbpf install DESTDIR="$d"
	[ -x "$d/usr/local/bin/rawbpf" ]
	[ -f "$d/usr/local/share/man/man1/rawbpf.1" ]
	make -C "$ROOT" help | grep -q '^  install '
}

@test "the man page renders without warnings and documents every command and option" {
	# groff-base is in the test goal of tools/install-deps (make test installs it): missing, it fails
	command -v groff >/dev/null || { echo "groff is required: tools/install-deps test"; false; }
	run groff -man -Tutf8 -ww -z "$ROOT/loader/rawbpf.1"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	text=$(groff -man -Tascii -P-c -P-b -P-u "$ROOT/loader/rawbpf.1" 2>/dev/null)
	for w in "run OBJ" "load OBJ" "inspect OBJ" "probe" "--duration=SECONDS" "--interval=SECONDS" \
		"--attach=MODE" "--explain" "--disasm" "-j, --json" "EXIT STATUS"; do
		grep -qF -- "$w" <<<"$text" || { echo "man page lacks '$w'"; false; }
	done
}
