#!/bin/sh
# Guest /init of the QEMU kernel matrix (busybox sh): mounts proc, sysfs and devtmpfs, prints
# facts about the kernel, runs every check_* function below, reports, and powers off.
#
# Console protocol, one line each (tools/vm/matrix parses it):
#   RAWBPF-FACT <key>=<value>
#   RAWBPF-CHECK <name> PASS|FAIL|SKIP <detail>
#   RAWBPF-LOG <name>: <line>          (a failed check's own output, last 20 lines)
#   RAWBPF-DMESG [<time>] <message>    (kernel warnings and worse logged during the checks)
#   RAWBPF-DONE
# Adding a check = adding a function "check_<name>" (letters, digits, _) that ends with one call
# of pass, fail or skip with a short detail. Checks run in the order they appear in this file,
# each in a subshell with stdout/stderr in /tmp/checks/<name>.out and a time limit. They can
# use the facts below ($EXECVE_FN, $KPROBE_PMU_TYPE, ...).
# Kernel command line KEY=VALUE words reach us as environment variables:
#   RAWBPF_CHECKS=a,b,c       run only these checks (names as printed, - or _ alike)
#   RAWBPF_CHECK_TIMEOUT=30   seconds per check
#   RAWBPF_VERBOSE=1          show every check's own output, not only a failed one's
# tracefs is deliberately NOT mounted here: rawbpf must find and mount it itself. A check that
# mounts it for its own use unmounts it again.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
TRACEFS=/sys/kernel/tracing

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The kernel opened the console of its built-in initramfs for us; reopen the devtmpfs one in
# case that was missing (a kernel with its own CONFIG_INITRAMFS_SOURCE).
[ -c /dev/console ] && exec </dev/console >/dev/console 2>&1
# Quiet the kernel's console messages (warnings, "random: ..." lines) so that they do not
# land in the middle of our lines; they still reach dmesg.
echo 1 >/proc/sys/kernel/printk 2>/dev/null
mkdir -p /tmp/checks

fact() { echo "RAWBPF-FACT $1=$2"; }

# --- facts -----------------------------------------------------------------------------------
KERNEL_RELEASE=$(uname -r)
KPROBE_PMU_TYPE=$(cat /sys/bus/event_source/devices/kprobe/type 2>/dev/null)
KPROBE_RETPROBE=$(cat /sys/bus/event_source/devices/kprobe/format/retprobe 2>/dev/null)
UPROBE_PMU_TYPE=$(cat /sys/bus/event_source/devices/uprobe/type 2>/dev/null)
# One pass over kallsyms for the syscall entry points rawbpf cares about.
awk '$3 ~ /(^|_)sys_(bpf|execve)$/ { print $3 }' /proc/kallsyms >/tmp/syscall-syms 2>/dev/null
# BCC's get_syscall_fnname order: the first prefix with "<prefix>bpf" in kallsyms.
SYSCALL_PREFIX=
for p in sys_ __x64_sys_ __x32_compat_sys_ __ia32_compat_sys_ __arm64_sys_ __s390x_sys_ \
	__s390_sys_ __riscv_sys_; do
	if grep -qx "${p}bpf" /tmp/syscall-syms; then SYSCALL_PREFIX=$p; break; fi
done
EXECVE_FN=
[ -n "$SYSCALL_PREFIX" ] && grep -qx "${SYSCALL_PREFIX}execve" /tmp/syscall-syms &&
	EXECVE_FN=${SYSCALL_PREFIX}execve

fact kernel_release "$KERNEL_RELEASE"
fact kernel_version "$(uname -v)"
fact machine "$(uname -m)"
fact kprobe_pmu_type "${KPROBE_PMU_TYPE:-absent}"
fact kprobe_retprobe_format "${KPROBE_RETPROBE:-absent}"
fact uprobe_pmu_type "${UPROBE_PMU_TYPE:-absent}"
fact syscall_prefix "${SYSCALL_PREFIX:-none}"
fact execve_fn "${EXECVE_FN:-none}"
if grep -qx __x64_sys_execve /tmp/syscall-syms; then fact kallsyms___x64_sys_execve yes
else fact kallsyms___x64_sys_execve no; fi
fact syscall_syms "$(tr '\n' ' ' </tmp/syscall-syms)"
if [ -e /sys/kernel/btf/vmlinux ]; then fact btf_vmlinux yes; else fact btf_vmlinux no; fi
if [ -d $TRACEFS ]; then fact tracefs_dir yes; else fact tracefs_dir no; fi
fact kptr_restrict "$(cat /proc/sys/kernel/kptr_restrict 2>/dev/null)"
fact perf_event_paranoid "$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null)"
fact unprivileged_bpf_disabled "$(cat /proc/sys/kernel/unprivileged_bpf_disabled 2>/dev/null)"
fact nr_cpus "$(grep -c '^processor' /proc/cpuinfo)"
fact page_size "$(sed -n 's/^KernelPageSize: *\([0-9]*\) kB$/\1K/p' /proc/self/smaps | head -n 1)"
fact boot_uptime "$(cut -d' ' -f1 /proc/uptime)"

# --- helpers for checks ----------------------------------------------------------------------
# fd 3 is the console; a check's own stdout and stderr go to its .out file.
result() {
	[ -e "/tmp/checks/$CHECK.result" ] && return 0 # only the first result counts
	echo "$1" >"/tmp/checks/$CHECK.result"
	echo "RAWBPF-CHECK $CHECK $1 $2" >&3
}
pass() { result PASS "$*"; }
fail() { result FAIL "$*"; }
skip() { result SKIP "$*"; }
tracefs_mounted() { grep -q " $TRACEFS tracefs " /proc/mounts; }
# Run a program through execve for sure: busybox sh runs some applets in-process when called
# by name, but not a path to the busybox binary.
do_execve() { /bin/busybox true; }

# --- checks ----------------------------------------------------------------------------------
check_uname() {
	if [ -n "$KERNEL_RELEASE" ]; then pass "$KERNEL_RELEASE"; else fail "uname -r printed nothing"; fi
}

check_busybox() {
	v=$(/bin/busybox 2>&1 | head -n 1)
	case $v in
	BusyBox*) pass "$v" ;;
	*) fail "/bin/busybox does not run: $v" ;;
	esac
}

check_tracefs_dir() {
	[ -d $TRACEFS ] || { fail "no $TRACEFS (kernel without tracefs?)"; return; }
	if tracefs_mounted; then fail "tracefs is already mounted: this init must leave that to rawbpf"
	else pass "$TRACEFS exists, tracefs not mounted"; fi
}

check_kprobe_pmu() {
	if [ -z "$KPROBE_PMU_TYPE" ]; then fail "no /sys/bus/event_source/devices/kprobe (kernel without kprobe PMU)"
	else pass "type=$KPROBE_PMU_TYPE retprobe=$KPROBE_RETPROBE"; fi
}

check_kprobe_events() {
	tracefs_mounted && { fail "tracefs already mounted before this check"; return; }
	mount -t tracefs tracefs $TRACEFS || { fail "mount -t tracefs failed"; return; }
	if [ -e $TRACEFS/kprobe_events ]; then r="PASS"; else r="FAIL"; fi
	umount $TRACEFS || { fail "umount $TRACEFS failed"; return; }
	if [ $r = PASS ]; then pass "$TRACEFS/kprobe_events exists (tracefs mounted and unmounted again)"
	else fail "no kprobe_events in tracefs (kernel without CONFIG_KPROBE_EVENTS)"; fi
}

# Independent of rawbpf: a legacy kprobe on the execve function fires on this kernel under TCG.
check_kprobe_fires() {
	[ -n "$EXECVE_FN" ] || { fail "no execve function found in /proc/kallsyms"; return; }
	tracefs_mounted && { fail "tracefs already mounted before this check"; return; }
	mount -t tracefs tracefs $TRACEFS || { fail "mount -t tracefs failed"; return; }
	t=$TRACEFS ev=rawbpf_guest_$$
	n=0 err=
	if echo "p:$ev/execve $EXECVE_FN" >>$t/kprobe_events; then
		echo 1 >$t/events/$ev/execve/enable || err="cannot enable $ev/execve"
		do_execve; do_execve; do_execve
		echo 0 >$t/events/$ev/execve/enable
		n=$(grep -c "($EXECVE_FN+" $t/trace) # "busybox-1 [000] ... execve: (__x64_sys_execve+0x0/0x50)"
		echo "-:$ev/execve" >>$t/kprobe_events || err="cannot remove $ev/execve"
		echo >$t/trace
	else
		err="writing 'p:$ev/execve $EXECVE_FN' to kprobe_events failed"
	fi
	umount $t || err="${err:+$err; }umount $t failed"
	if [ -n "$err" ]; then fail "$err"
	elif [ "$n" -ge 3 ]; then pass "kprobe on $EXECVE_FN hit $n times for 3 execs"
	else fail "kprobe on $EXECVE_FN hit $n times for 3 execs"; fi
}

check_rawbpf_version() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	if v=$(/bin/rawbpf --version 2>&1); then pass "$(echo "$v" | head -n 1)"
	else fail "rawbpf --version exited with $?: $(echo "$v" | head -n 1)"; fi
}

# Runs "rawbpf ARGS..." in the background, execs until a "Hello World" line shows (10 s at
# most), then stops it with SIGINT like Ctrl-C. Sets SEEN (1 if the line came), RC (its exit
# status) and ATTACH (its line saying where it attached); its stderr and stdout go to the
# check's .out (shown on failure or with RAWBPF_VERBOSE=1).
hello_job() {
	rm -f /tmp/job.out /tmp/job.err # a stale file would be read as this run's
	/bin/rawbpf "$@" >/tmp/job.out 2>/tmp/job.err &
	pid=$!
	i=0 SEEN=
	while [ $i -lt 40 ] && kill -0 $pid 2>/dev/null; do
		do_execve
		if grep -q 'Hello World' /tmp/job.out; then SEEN=1; break; fi
		sleep 0.25
		i=$((i + 1))
	done
	# Resident memory while it runs, by a walk of its page tables (smaps_rollup): VmHWM is no
	# use here, as kernels before 6.2 fold a task's page counts into it only every 64 faults.
	RSS=$(sed -n 's/^Rss: *//p' /proc/$pid/smaps_rollup 2>/dev/null)
	kill -INT $pid 2>/dev/null
	wait $pid
	RC=$?
	ATTACH=$(grep -m 1 'attached' /tmp/job.err)
	echo "\$ rawbpf $*"
	cat /tmp/job.err /tmp/job.out
}
# PASS when hello_job saw Hello World and rawbpf exited 0 after SIGINT.
hello_verdict() {
	if [ -z "$SEEN" ]; then fail "no Hello World line (exit status $RC) ${ATTACH:+; $ATTACH}"
	elif [ "$RC" != 0 ]; then fail "Hello World seen, but exit status $RC after SIGINT"
	else pass "Hello World, exit 0 on SIGINT; ${ATTACH:-no 'attached' line on stderr}$NOTE"; fi
}

# PASS only if the attach line names the expected path, e.g. "(kprobe PMU)".
expect_attach() {
	case $ATTACH in
	*"$1"*) return 0 ;;
	*) fail "attached the wrong way: '${ATTACH:-no attach line}', expected '$1'"; return 1 ;;
	esac
}

# The default job, as a user on this kernel would run it. Nothing has mounted tracefs: rawbpf
# must find that out and mount it itself.
check_default_job() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	tracefs_mounted && { fail "tracefs already mounted before this check"; return; }
	hello_job
	fact default_job_rss "${RSS% kB}K" >&3 # a number for the README (the budget is 256 KiB)
	if tracefs_mounted; then fail "tracefs left mounted after rawbpf exited"; return; fi
	NOTE="; tracefs mounted by rawbpf and unmounted again"
	expect_attach "attached to kprobe $EXECVE_FN (kprobe PMU)" && hello_verdict
}

check_attach_kprobe() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	hello_job --attach=kprobe
	expect_attach "(kprobe PMU)" && hello_verdict
}

# Mounts tracefs if nobody has; sets MOUNTED_HERE so unmount_ours can undo it.
mount_ours() {
	MOUNTED_HERE=
	tracefs_mounted && return 0
	mount -t tracefs tracefs $TRACEFS && MOUNTED_HERE=1
}
unmount_ours() { [ -z "$MOUNTED_HERE" ] || umount $TRACEFS; }

# Waits (5 s at most) for rawbpf's "attached" line on stderr file $1.
wait_attached() {
	i=0
	while [ $i -lt 50 ]; do
		grep -q attached "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# The legacy path: its kprobe_events entry exists while rawbpf runs and is gone afterwards.
check_attach_kprobe_legacy() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	rm -f /tmp/job.out /tmp/job.err
	/bin/rawbpf --attach=kprobe-legacy >/tmp/job.out 2>/tmp/job.err &
	pid=$!
	wait_attached /tmp/job.err || { cat /tmp/job.err; kill -INT $pid; fail "no attached line"; return; }
	during=$(cat $TRACEFS/kprobe_events)
	echo "kprobe_events while running: $during"
	do_execve; do_execve
	sleep 0.3
	kill -INT $pid
	wait $pid
	RC=$?
	cat /tmp/job.err /tmp/job.out
	ATTACH=$(grep -m 1 'attached' /tmp/job.err)
	SEEN=; grep -q 'Hello World' /tmp/job.out && SEEN=1
	mount_ours || { fail "cannot mount tracefs to look at kprobe_events"; return; }
	after=$(cat $TRACEFS/kprobe_events)
	unmount_ours
	case $during in
	*"p:rawbpf/rawbpf_${pid}_0 $EXECVE_FN"*) ;;
	*) fail "while running, kprobe_events lacked p:rawbpf/rawbpf_${pid}_0: '$during'"; return ;;
	esac
	[ -z "$after" ] || { fail "kprobe_events not empty after rawbpf exited: $after"; return; }
	NOTE="; event rawbpf_${pid}_0 existed while running, gone after"
	expect_attach "(kprobe_events: rawbpf/rawbpf_${pid}_0)" && hello_verdict
}

check_attach_tracepoint() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	hello_job --attach=tracepoint
	expect_attach "attached to tracepoint syscalls/sys_enter_execve" && hello_verdict
}

# A kretprobe on a kernel function and a kretsyscall/ program (the syscall function found by
# name), both seen firing.
check_kretprobe_kretsyscall() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	rm -f /tmp/job.out /tmp/job.err
	/bin/rawbpf run /lib/rawbpf/probes.bpf.o >/tmp/job.out 2>/tmp/job.err &
	pid=$!
	wait_attached /tmp/job.err
	sleep 0.2 # the second attach line
	/bin/busybox usleep 1000; do_execve
	sleep 0.3
	kill -INT $pid
	wait $pid
	RC=$?
	cat /tmp/job.err /tmp/job.out
	grep -q "prog 'nanosleep_ret': attached to kretprobe do_nanosleep (kprobe PMU)" /tmp/job.err ||
		{ fail "nanosleep_ret not attached as a kretprobe through the PMU"; return; }
	grep -q "prog 'execve_ret': attached to kretprobe $EXECVE_FN (kprobe PMU)" /tmp/job.err ||
		{ fail "execve_ret not attached to $EXECVE_FN's return"; return; }
	grep -q 'kretprobe do_nanosleep returned' /tmp/job.out || { fail "no line from the do_nanosleep kretprobe"; return; }
	grep -q 'kretsyscall execve returned' /tmp/job.out || { fail "no line from the kretsyscall/execve program"; return; }
	[ "$RC" = 0 ] || { fail "exit status $RC after SIGINT"; return; }
	pass "kretprobe do_nanosleep and kretsyscall/execve ($EXECVE_FN) fired; exit 0"
}

# Programs named in prog/ and test/progs/ that bpftool still lists.
our_progs_left() {
	/bin/bpftool prog show 2>/dev/null | grep -E "name (hello|nanosleep_ret|execve_ret|tp_execve|ks_execve|rawbpf_probe)( |$)"
}

# After --duration, SIGINT, SIGTERM and SIGHUP, on the PMU and the legacy path: exit 0, no
# program left loaded (bpftool, independent of rawbpf), nothing left in kprobe_events.
check_cleanup_after_stop() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	[ -x /bin/bpftool ] || { skip "no bpftool in the initramfs to look at loaded programs"; return; }
	mount_ours || { fail "cannot mount tracefs"; return; }
	tried=
	for mode in kprobe kprobe-legacy; do
		for how in duration INT TERM HUP; do
			if [ $how = duration ]; then
				/bin/rawbpf --attach=$mode --duration=1 >/dev/null 2>/tmp/job.err
				rc=$?
			else
				rm -f /tmp/job.err
				/bin/rawbpf --attach=$mode >/dev/null 2>/tmp/job.err &
				pid=$!
				wait_attached /tmp/job.err || { fail "$mode/$how: never attached"; cat /tmp/job.err; unmount_ours; return; }
				kill -$how $pid
				wait $pid
				rc=$?
			fi
			cat /tmp/job.err
			[ "$rc" = 0 ] || { fail "$mode, stopped by $how: exit status $rc"; unmount_ours; return; }
			i=0
			while left=$(our_progs_left) && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
			[ -z "$left" ] || { fail "$mode, stopped by $how: still loaded: $left"; unmount_ours; return; }
			ev=$(cat $TRACEFS/kprobe_events)
			[ -z "$ev" ] || { fail "$mode, stopped by $how: kprobe_events holds: $ev"; unmount_ours; return; }
			tried="$tried $mode/$how"
		done
	done
	unmount_ours
	pass "exit 0, no program loaded, kprobe_events empty after:$tried"
}

# SIGKILL leaves a legacy event behind; the next run removes it (the dead pid is in its name)
# and leaves other tools' events alone. Another tool's 120 long-named events come first, so the
# stale one sits past the first 9 KiB of kprobe_events: the whole file is read, not a buffer's worth.
OTHER_EVENTS=120
other_events() { # + or -
	i=0
	while [ $i -lt $OTHER_EVENTS ]; do
		if [ "$1" = + ]; then
			echo "p:othertool/keepme_a_long_event_name_that_fills_the_listing_$i $EXECVE_FN"
		else
			echo "-:othertool/keepme_a_long_event_name_that_fills_the_listing_$i"
		fi
		i=$((i + 1))
	done >>$TRACEFS/kprobe_events
}
check_stale_legacy_event() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	mount_ours || { fail "cannot mount tracefs"; return; }
	other_events + || { fail "cannot add othertool's probes"; other_events - 2>/dev/null; unmount_ours; return; }
	echo "p:othertool/keepme $EXECVE_FN" >>$TRACEFS/kprobe_events || { fail "cannot add othertool's probe"; unmount_ours; return; }
	echo "kprobe_events before the first run: $(wc -c <$TRACEFS/kprobe_events) bytes"
	rm -f /tmp/job.err
	/bin/rawbpf --attach=kprobe-legacy >/dev/null 2>/tmp/job.err &
	pid=$!
	wait_attached /tmp/job.err || { fail "first run never attached"; cat /tmp/job.err; unmount_ours; return; }
	kill -KILL $pid
	wait $pid
	before=$(grep -v keepme_a_long $TRACEFS/kprobe_events)
	echo "after SIGKILL: $before"
	/bin/rawbpf --attach=kprobe-legacy --duration=1 >/dev/null 2>/tmp/job2.err
	rc=$?
	cat /tmp/job2.err
	after=$(grep -v keepme_a_long $TRACEFS/kprobe_events)
	others=$(grep -c keepme_a_long $TRACEFS/kprobe_events)
	echo "after the second run: $after (and $others of othertool's long-named events)"
	echo "-:othertool/keepme" >>$TRACEFS/kprobe_events
	other_events -
	unmount_ours
	[ "$others" = $OTHER_EVENTS ] || { fail "$others of othertool's $OTHER_EVENTS events left"; return; }
	case $before in *"rawbpf/rawbpf_${pid}_0"*) ;; *) fail "SIGKILL left no event to clean up: '$before'"; return ;; esac
	grep -q "removed the stale probe rawbpf/rawbpf_${pid}_0 of dead process $pid" /tmp/job2.err ||
		{ fail "the second run did not say it removed rawbpf_${pid}_0"; return; }
	[ "$rc" = 0 ] || { fail "second run: exit status $rc"; return; }
	[ "$after" = "p:othertool/keepme $EXECVE_FN" ] || { fail "kprobe_events after the second run: '$after'"; return; }
	pass "stale rawbpf_${pid}_0 (after $OTHER_EVENTS other events) removed by the next run; othertool's untouched"
}

# Milliseconds since boot, from /proc/uptime (10 ms steps; busybox date has no %N).
uptime_ms() {
	read -r up _ </proc/uptime
	echo $(( ${up%.*} * 1000 + 1${up#*.}0 - 1000 ))
}

# Sets PHASE to what the rawbpf of pid $1 (stderr in $2) has done now, for signal number $3:
# early (the signal not blocked yet), setup (blocked, no attached line yet) or attached. Only
# shell builtins: a fork would move the moment.
# IGNORED is 1 when the signal is ignored (SIG_IGN inherited) at that moment.
phase_of() {
	local key val blk=0 ign=0 line
	while read -r key val; do
		case $key in SigBlk:) blk=$val ;; SigIgn:) ign=$val ;; esac
	done </proc/$1/status 2>/dev/null
	IGNORED=$(( (0x$ign >> ($3 - 1)) & 1 ))
	PHASE=early
	[ $(( (0x$blk >> ($3 - 1)) & 1 )) = 1 ] || return 0
	PHASE=setup
	while read -r line; do case $line in *"attached to"*) PHASE=attached ;; esac; done <"$2"
}

# One run for check_signal_moments: rawbpf --attach=kprobe-legacy gets SIG$2 $1 microseconds
# after it was started. Sets PHASE (see phase_of) and fails (returning 1) when the outcome is
# wrong: an exit status other than 0 and death by the signal, death by a signal rawbpf had
# already blocked, tracefs left mounted, anything left in kprobe_events.
signal_run() {
	local signo pid rc what ev l i
	case $2 in INT) signo=2 ;; TERM) signo=15 ;; HUP) signo=1 ;; esac
	: >/tmp/sm.err
	/bin/rawbpf --attach=kprobe-legacy >/dev/null 2>>/tmp/sm.err &
	pid=$!
	[ "$1" -gt 0 ] && usleep "$1"
	phase_of $pid /tmp/sm.err $signo
	kill -"$2" $pid
	if [ $PHASE = early ] && [ $IGNORED = 1 ]; then
		# A background job of this shell starts with SIGINT ignored, and a signal that is ignored
		# and not blocked is dropped: then SIGTERM ends the run, a moment later.
		i=0
		while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do usleep 10000; i=$((i + 1)); done
		kill -0 $pid 2>/dev/null && { kill -TERM $pid; dropped=$((dropped + 1)); }
	fi
	wait $pid
	rc=$?
	runs=$((runs + 1))
	eval "$PHASE=\$(( $PHASE + 1 ))"
	what="SIG$2 at $1 us ($PHASE)"
	echo "$what: exit status $rc"
	moments="$moments $(($1 / 1000))${PHASE%"${PHASE#?}"}"
	if [ $PHASE = early ] && [ $IGNORED = 1 ] && { [ $rc = 0 ] || [ $rc = 143 ]; }; then
		: # dropped (143: the SIGTERM after it), or blocked just before it came
	elif [ $rc = $((128 + signo)) ]; then
		[ $PHASE = early ] || { cat /tmp/sm.err; fail "$what: killed by the signal although rawbpf had blocked it"; return 1; }
		killed=$((killed + 1))
	elif [ $rc != 0 ]; then
		cat /tmp/sm.err; fail "$what: exit status $rc, neither 0 nor death by SIG$2"; return 1
	fi
	tracefs_mounted && { fail "$what: tracefs left mounted"; umount $TRACEFS; return 1; }
	mount -t tracefs tracefs $TRACEFS || { fail "cannot mount tracefs"; return 1; }
	ev=
	while read -r l; do ev="$ev$l; "; done <$TRACEFS/kprobe_events
	umount $TRACEFS
	[ -z "$ev" ] || { fail "$what: kprobe_events holds: $ev"; return 1; }
}

# SIGINT, SIGTERM and SIGHUP at many moments of start-up on the legacy path, which writes
# kprobe_events (that outlives the process, unlike its file descriptors): each run exits 0, or
# dies of the signal only if the signal came before rawbpf blocked it; after every run tracefs
# is not mounted (rawbpf mounted it) and kprobe_events is empty; at the end bpftool lists none
# of our programs. First the delay (1, 2, 4 ... ms, SIGINT) after which rawbpf has attached;
# then 16 moments per signal over 1.5 times that, coarse to fine, until 20 s have passed (the
# check's limit is 30 s).
check_signal_moments() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	tracefs_mounted && { fail "tracefs already mounted before this check"; return; }
	t_end=$(( $(uptime_ms) + 20000 ))
	runs=0 early=0 setup=0 attached=0 killed=0 dropped=0 moments=
	d=0
	while :; do
		signal_run $d INT || return
		[ $PHASE = attached ] && break
		[ $d -lt 2000000 ] || { fail "not attached $d us after the start"; return; }
		d=$(( d ? d * 2 : 1000 ))
	done
	span=$(( d * 3 / 2 ))
	# 0..15 in bit-reversed order: each prefix spreads over the whole span
	for k in 0 8 4 12 2 10 6 14 1 9 5 13 3 11 7 15; do
		[ "$(uptime_ms)" -lt "$t_end" ] || break
		for sig in INT TERM HUP; do
			signal_run $(( span * k / 15 )) $sig || return
		done
	done
	echo "moments (ms, early/setup/attached):$moments"
	left=
	if [ -x /bin/bpftool ]; then
		i=0
		while left=$(our_progs_left) && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
		[ -z "$left" ] || { fail "still loaded after $runs runs: $left"; return; }
		left="; bpftool: none of ours loaded"
	fi
	[ $early -gt 0 ] && [ $attached -gt 0 ] || { fail "the moments missed part of start-up: $early early, $setup setup, $attached attached"; return; }
	pass "$runs runs, INT TERM HUP 0..$((span / 1000)) ms after start: $early early ($killed killed by it, $dropped SIGINT ignored as inherited), $setup setup, $attached attached, the rest exit 0; after each kprobe_events empty, tracefs unmounted$left"
}

# Runs "rawbpf run NAME" until it attached, execs twice, stops it with SIGINT; $1 the name.
example_run() {
	rm -f /tmp/ex.out /tmp/ex.err
	/bin/rawbpf run "$@" >/tmp/ex.out 2>/tmp/ex.err &
	pid=$!
	wait_attached /tmp/ex.err || { kill -INT $pid; wait $pid; return 1; }
	/bin/busybox true & # a simple command: the forked shell execs it, so its execve is by $!
	EXPID=$!
	wait $EXPID
	do_execve
	sleep 0.5
	kill -INT $pid
	wait $pid
	RC=$?
	echo "\$ rawbpf run $*"
	cat /tmp/ex.err; head -n 20 /tmp/ex.out
	return 0
}

# The built-in examples on this kernel's kprobes (and raw tracepoints), by their real output.
check_examples() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	pmu="attached to kprobe $EXECVE_FN (kprobe PMU)"
	example_run hello-map --interval=0.2 || { fail "hello-map never attached"; return; }
	grep -q "$pmu" /tmp/ex.err || { fail "hello-map: not on the kprobe PMU"; return; }
	grep -Eq '^ID 0: [0-9]+' /tmp/ex.out || { fail "hello-map: no 'ID 0: N' line"; return; }
	for ex in hello-buffer hello-ringbuf; do
		example_run $ex || { fail "$ex never attached"; return; }
		grep -q "$pmu" /tmp/ex.err || { fail "$ex: not on the kprobe PMU"; return; }
		grep -Eq "^$EXPID 0 [^ ]+ Hello World$" /tmp/ex.out || { fail "$ex: no record '$EXPID 0 <comm> Hello World'"; return; }
	done
	example_run hello-global || { fail "hello-global never attached"; return; }
	grep -q ' bpf_trace_printk: Hello World 0$' /tmp/ex.out && grep -q ' bpf_trace_printk: Hello World 1$' /tmp/ex.out ||
		{ fail "hello-global: no 'Hello World 0' and 'Hello World 1'"; return; }
	example_run hello-tail || { fail "hello-tail never attached"; return; }
	grep -Eq -- "-$EXPID +\[.* bpf_trace_printk: Executing a program$" /tmp/ex.out ||
		{ fail "hello-tail: no 'Executing a program' from pid $EXPID (this architecture's execve number)"; return; }
	example_run hello-func || { fail "hello-func never attached"; return; }
	grep -q ' bpf_trace_printk: Syscall: [0-9]*$' /tmp/ex.out || { fail "hello-func: no 'Syscall: N' line"; return; }
	[ "$RC" = 0 ] || { fail "exit status $RC after SIGINT"; return; }
	pass "hello-map, hello-buffer, hello-ringbuf, hello-global on the kprobe PMU; hello-tail, hello-func on raw tracepoints"
}

# rawbpf load of every built object: accepted, except the ones made to be rejected.
check_load_objects() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	n=0
	for o in hello /lib/rawbpf/*.bpf.o; do
		# Objects broken on purpose, and their verdicts; those whose verdict depends on what the
		# kernel offers (BTF-typed programs, kfuncs, ksyms) are judged by their own checks.
		case $o in
		*/verifier_error.bpf.o|*/nongpl.bpf.o|*/choose.bpf.o|*/core_poison.bpf.o) want=4 ;;
		*/btf_bad.bpf.o|*/extern_missing.bpf.o) want=1 ;;
		*/settings.bpf.o) want=2 ;; # a map sized only by --set
		*/btf_typed.bpf.o|*/ksym_var.bpf.o|*/kfunc.bpf.o|*/ksyms.bpf.o|*/kconfig.bpf.o|*/lsm_fmod.bpf.o|*/module_fentry.bpf.o) continue ;;
		*/bigout.bpf.o|*/biglog.bpf.o) continue ;; # output and log length fixtures of the host suite (5.10 refuses bigout; biglog's 16 MiB logs take minutes under TCG)
		*) want=0 ;;
		esac
		/bin/rawbpf load "$o"
		rc=$?
		[ "$rc" = "$want" ] || { fail "rawbpf load $o: exit $rc, expected $want"; return; }
		n=$((n + 1))
	done
	pass "$n objects: verdicts as expected"
}

# CO-RE: one object, built once against declared layouts, reads this kernel's task_struct: a
# child C of a sleeping parent P execs; pid, tgid, the parent's tgid and its state (under
# __state, or state before 5.14), comm and the in_execve bitfield (0 at the system call, 1 in
# sched_process_exec) must be what they are. Then the same relocations with --btf FILE while
# /sys/kernel/btf is covered, and an unguarded missing field refused with rawbpf's message.
check_core() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	o=/lib/rawbpf/core_task.bpf.o
	[ -e $o ] || { fail "no $o"; return; }
	: >/tmp/core.err # (before the child opens it, as in check_btf_typed)
	/bin/rawbpf run $o >/tmp/core.out 2>/tmp/core.err &
	pid=$!
	i=0
	while [ "$(grep -c attached /tmp/core.err)" -lt 2 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	set -- $(/bin/busybox sh -c '(/bin/busybox sleep 0.3; exec /bin/busybox true) & echo "$! $$"; exec /bin/busybox sleep 1')
	C=$1 P=$2
	sleep 0.3
	kill -INT $pid
	wait $pid
	rc=$?
	cat /tmp/core.err; grep " core[0-9] $C " /tmp/core.out
	[ "$rc" = 0 ] || { fail "rawbpf run: exit $rc"; return; }
	grep -q "bpf_trace_printk: core1 $C $C $P\$" /tmp/core.out || { fail "no 'core1 $C $C $P' (pid, tgid, parent's tgid)"; return; }
	grep -q "bpf_trace_printk: core2 $C busybox\$" /tmp/core.out || { fail "no 'core2 $C busybox' (comm)"; return; }
	case $KERNEL_RELEASE in 5.10.*) ren=0 ;; *) ren=1 ;; esac
	st=$(sed -n "s/.*bpf_trace_printk: core3 $C \([0-9]*\) $ren\$/\1/p" /tmp/core.out | head -n 1)
	[ -n "$st" ] && [ $((st & 255)) = 1 ] || { fail "core3: parent's state not 1 (sleeping) under the name for $KERNEL_RELEASE ($ren)"; return; }
	grep -q "bpf_trace_printk: core4 $C 0\$" /tmp/core.out && grep -q "bpf_trace_printk: core5 $C 1\$" /tmp/core.out ||
		{ fail "in_execve: not 0 at sys_enter_execve and 1 at sched_process_exec"; return; }
	off=$(/bin/rawbpf inspect /lib/rawbpf/core_kinds.bpf.o | sed -n 's/.*byte_off task_struct::tgid (local type 5): 4, here //p')
	cp /sys/kernel/btf/vmlinux /tmp/vmlinux.btf && mount -t tmpfs none /sys/kernel/btf || { fail "cannot cover /sys/kernel/btf"; return; }
	/bin/rawbpf load $o >/tmp/core.none 2>&1
	none=$?
	offb=$(/bin/rawbpf inspect /lib/rawbpf/core_kinds.bpf.o --btf /tmp/vmlinux.btf | sed -n 's/.*byte_off task_struct::tgid (local type 5): 4, here //p')
	/bin/rawbpf load $o --btf /tmp/vmlinux.btf >/tmp/core.btf 2>&1
	withbtf=$?
	umount /sys/kernel/btf
	[ "$none" = 1 ] && grep -q "give its BTF with --btf FILE" /tmp/core.none || { fail "without BTF: exit $none, no message naming --btf"; return; }
	[ -n "$off" ] && [ "$off" = "$offb" ] && [ "$withbtf" = 0 ] || { fail "--btf FILE: tgid at '$offb' (sysfs: '$off'), load exit $withbtf"; return; }
	/bin/rawbpf load /lib/rawbpf/core_poison.bpf.o >/tmp/core.poison 2>&1
	grep -q "^rawbpf: prog 'unguarded': instruction [0-9]*: CO-RE relocation #0 (byte_off of task_struct___fake::no_such_field) has no match" /tmp/core.poison &&
		grep -q "^prog 'guarded' .*: accepted by the verifier" /tmp/core.poison || { cat /tmp/core.poison; fail "poisoning: unguarded not refused with rawbpf's message, or guarded not loaded"; return; }
	pass "pid, tgid, parent $P, comm, state (renamed: $ren), in_execve read right; tgid at $off, also with --btf; unguarded missing field refused"
}

# CO-RE against a module's type (test/progs/core_mod.bpf.o): struct bpf_ct_opts is nf_conntrack's
# (its kfuncs' options, 5.18 on), in its split BTF and not vmlinux's. tools/vm/matrix packs the
# modules in /lib/modules/<release>/; bpftool says where the fields are, rawbpf must agree.
check_core_module() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	o=/lib/rawbpf/core_mod.bpf.o d=/lib/modules/$KERNEL_RELEASE
	[ -e $o ] || { fail "no $o"; return; }
	[ -e $d/nf_conntrack.ko ] || { skip "no nf_conntrack.ko for $KERNEL_RELEASE in the initramfs"; return; }
	command -v bpftool >/dev/null || { skip "no bpftool in the initramfs to compare with"; return; }
	for m in crc32c_generic libcrc32c nf_defrag_ipv4 nf_defrag_ipv6 nf_conntrack; do
		[ ! -e $d/$m.ko ] || grep -q "^$m " /proc/modules || insmod $d/$m.ko
	done
	grep -q '^nf_conntrack ' /proc/modules || { fail "insmod nf_conntrack failed"; return; }
	/bin/rawbpf inspect $o >/tmp/cm.out 2>&1
	/bin/rawbpf load $o --explain >/tmp/cm.load 2>&1
	rc=$?
	cat /tmp/cm.out /tmp/cm.load
	[ "$rc" = 0 ] || { fail "rawbpf load: exit $rc"; return; }
	at() { sed -n "s/.*byte_off bpf_ct_opts::$1 (local type [0-9]*): [0-9]*, here //p" /tmp/cm.out; }
	if [ ! -e /sys/kernel/btf/nf_conntrack ]; then
		grep -q 'type_exists struct bpf_ct_opts .*, here 0$' /tmp/cm.out || { fail "no module BTF, yet bpf_ct_opts found"; return; }
		pass "no module BTF on $KERNEL_RELEASE (CONFIG_DEBUG_INFO_BTF_MODULES unset): bpf_ct_opts missing, guarded, loads"
		return
	fi
	# (bpftool prints the module's own types only: a type vmlinux has is not among them)
	bpftool btf dump file /sys/kernel/btf/nf_conntrack >/tmp/cm.btf || { fail "bpftool cannot read the module's BTF"; return; }
	bits() { awk -v s="'bpf_ct_opts'" -v m="'$1'" '$2 == "STRUCT" && $3 == s {f = 1; next} f && /^\[/ {exit}
		f && $1 == m {sub("bits_offset=", "", $3); print $3; exit}' /tmp/cm.btf; }
	if [ -z "$(bits l4proto)" ]; then
		grep -q 'type_exists struct bpf_ct_opts .*, here 0$' /tmp/cm.out || { fail "bpf_ct_opts is in no BTF, yet found"; return; }
		pass "nf_conntrack's BTF has no bpf_ct_opts on $KERNEL_RELEASE (before 5.18): guarded, loads"
		return
	fi
	l4=$(($(bits l4proto) / 8)) er=$(($(bits error) / 8))
	[ "$(at l4proto)" = "$l4" ] && [ "$(at error)" = "$er" ] || { fail "l4proto at '$(at l4proto)', error at '$(at error)'; the module's BTF: $l4, $er"; return; }
	grep -q "^explain: CO-RE: 4 relocations against .*, and modules'): 4 applied, 0 poisoned$" /tmp/cm.load || { fail "not 4 applied, with the modules' BTF"; return; }
	pass "bpf_ct_opts from nf_conntrack's split BTF: l4proto at $l4, error at $er (bpftool's), 4 applied"
}

# kfuncs of a module through the program's fd array (test/progs/kfunc_mod.bpf.o, once
# check_core_module loaded nf_conntrack): where the module's BTF has bpf_xdp_ct_lookup (bpftool
# says), the verifier accepts the calls only if their off indexes an fd array holding the
# module's BTF fd; elsewhere the calls are guarded and the program loads anyway.
check_kfunc_module() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	o=/lib/rawbpf/kfunc_mod.bpf.o
	[ -e $o ] || { fail "no $o"; return; }
	grep -q '^nf_conntrack ' /proc/modules || { skip "nf_conntrack is not loaded (check_core_module loads it)"; return; }
	command -v bpftool >/dev/null || { skip "no bpftool in the initramfs to ask"; return; }
	/bin/rawbpf load $o --explain >/tmp/km.out 2>&1
	rc=$?
	cat /tmp/km.out
	[ "$rc" = 0 ] || { fail "rawbpf load: exit $rc"; return; }
	if [ -e /sys/kernel/btf/nf_conntrack ]; then
		bpftool btf dump file /sys/kernel/btf/nf_conntrack >/tmp/km.btf 2>&1 || { fail "bpftool btf dump of nf_conntrack failed: $(tail -n 1 /tmp/km.btf)"; return; }
	fi
	if [ -e /sys/kernel/btf/nf_conntrack ] && grep -q "FUNC 'bpf_xdp_ct_lookup'" /tmp/km.btf; then
		grep -q 'find module nf_conntrack' /tmp/km.out || { fail "loaded without looking up nf_conntrack's BTF fd"; return; }
		pass "nf_conntrack's bpf_xdp_ct_lookup and bpf_ct_release called through the fd array: accepted"
	else
		pass "no kfuncs in nf_conntrack's BTF on $KERNEL_RELEASE: guarded, loads"
	fi
}

# BTF-typed programs and their alternatives (test/progs/btf_typed.bpf.o): fentry/fexit on the
# execve function with kprobe/kretprobe twins, tp_btf/sched_process_exec with a tracepoint twin.
# Which of each pair must attach is decided from this kernel: the BTF-typed one if rawbpf probe
# loads and attaches one. Exactly one of each pair attached; each of a process's two execs counted once.
check_btf_typed() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	o=/lib/rawbpf/btf_typed.bpf.o
	[ -e $o ] || { fail "no $o"; return; }
	# fentry/fexit run here if probe loads and attaches one (arm64 6.1 loads them, cannot attach)
	/bin/rawbpf probe >/tmp/bt.load 2>&1
	grep -E '^fentry/fexit ' /tmp/bt.load
	if grep -Eq '^fentry/fexit +yes' /tmp/bt.load; then e=fentry ne=kprobe x=fexit nx=kretprobe; else e=kprobe ne=fentry x=kretprobe nx=fexit; fi
	: >/tmp/bt.err # (before the child opens it: the loop below must not read a missing file as "done")
	/bin/rawbpf run $o >/tmp/bt.out 2>/tmp/bt.err &
	pid=$!
	i=0
	while [ "$(grep -c attached /tmp/bt.err)" -lt 3 ] && [ $i -lt 80 ]; do sleep 0.1; i=$((i + 1)); done
	/bin/busybox sh -c 'exec /bin/busybox true' &
	C=$!
	wait $C
	sleep 0.3
	kill -INT $pid
	wait $pid
	rc=$?
	cat /tmp/bt.err; grep -- "-$C " /tmp/bt.out
	[ "$rc" = 0 ] || { fail "rawbpf run: exit $rc"; return; }
	[ "$(grep -c 'attached to' /tmp/bt.err)" = 3 ] || { fail "not 3 attachments"; return; }
	n() { grep -c -- "-$C .*bpf_trace_printk: $1\$" /tmp/bt.out; }
	[ "$(n "$e execve")" = 2 ] && [ "$(n "$ne execve")" = 0 ] || { fail "$e: $(n "$e execve") lines, $ne: $(n "$ne execve") (want 2, 0)"; return; }
	[ "$(n "$x execve")" = 2 ] && [ "$(n "$nx execve")" = 0 ] || { fail "$x: $(n "$x execve") lines, $nx: $(n "$nx execve") (want 2, 0)"; return; }
	[ "$(n "tp_btf exec $C")" = 2 ] && [ "$(n "tp exec $C")" = 0 ] || { fail "tp_btf: $(n "tp_btf exec $C") lines, tp: $(n "tp exec $C") (want 2, 0)"; return; }
	pass "attached $e, $x, tp_btf (one of each pair); each exec once; tp_btf's old_pid right"
}

# Starts "rawbpf ARGS" with output in /tmp/$1.out and .err and waits until it attached or gave
# up (10 s at most); sets R (its pid) and ATT (1 if it attached).
start_bg() {
	f=$1; shift
	/bin/rawbpf "$@" >/tmp/$f.out 2>/tmp/$f.err &
	R=$! ATT= i=0
	while [ $i -lt 100 ] && kill -0 $R 2>/dev/null; do
		grep -q 'attached to' /tmp/$f.err && { ATT=1; break; }
		sleep 0.1; i=$((i + 1))
	done
}

# fmod_ret and lsm programs (test/progs/lsm_fmod.bpf.o). Both need BPF trampolines (as fentry
# does: rawbpf probe says whether this kernel has them); the lsm one runs only where the BPF LSM
# is active (bpf in /sys/kernel/security/lsm: Debian 12 and 13 list it by default, 11 does not,
# though it is built in). fmod_ret/security_file_open makes one process's opens fail with EPERM
# and leaves everyone else's alone; lsm/bprm_check_security sees each exec of a process.
check_lsm_fmod_ret() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	o=/lib/rawbpf/lsm_fmod.bpf.o
	[ -e $o ] || { fail "no $o"; return; }
	# securityfs mounted, as systemd mounts it: probe reads the active LSMs there
	sec=; grep -q ' /sys/kernel/security securityfs ' /proc/mounts || { mount -t securityfs securityfs /sys/kernel/security && sec=1; }
	lsms=$(cat /sys/kernel/security/lsm 2>/dev/null)
	/bin/rawbpf probe >/tmp/lf.probe 2>&1
	[ -n "$sec" ] && umount /sys/kernel/security
	grep -E '^(fentry/fexit|BPF LSM) ' /tmp/lf.probe
	tramp=; grep -Eq '^fentry/fexit +yes' /tmp/lf.probe && tramp=1
	echo "active LSMs: $lsms"
	active=; case ",$lsms," in *,bpf,*) active=1 ;; esac
	# probe's BPF LSM line says what this kernel does with an lsm program
	if [ -z "$tramp" ]; then want='(no|loads, no attach)'; elif [ -n "$active" ]; then want=yes; else want='attaches, inactive'; fi
	grep -Eq "^BPF LSM +$want" /tmp/lf.probe || { fail "probe: BPF LSM is not '$want'"; return; }
	# fmod_ret: a subshell waits on a fifo, rawbpf denies its opens, then it opens a file
	rm -f /tmp/lf.fifo; mkfifo /tmp/lf.fifo
	( read x </tmp/lf.fifo; : </bin/busybox ) 2>/tmp/lf.sub &
	T=$!
	start_bg fm run $o --prog deny_open --set target_pid=$T
	echo go >/tmp/lf.fifo
	wait $T; trc=$?
	( : </bin/busybox ); orc=$?
	kill -INT $R 2>/dev/null; wait $R; rc=$?
	cat /tmp/fm.err /tmp/lf.sub; grep 'fmod_ret' /tmp/fm.out
	if [ -n "$tramp" ]; then
		[ -n "$ATT" ] && [ "$rc" = 0 ] || { fail "fmod_ret: not attached (exit $rc)"; return; }
		grep -q 'Operation not permitted' /tmp/lf.sub && [ "$trc" != 0 ] && [ "$orc" = 0 ] ||
			{ fail "fmod_ret: the target's open gave $trc, another's $orc (want EPERM, 0)"; return; }
		grep -q "fmod_ret denied open $T\$" /tmp/fm.out || { fail "fmod_ret: no trace line for $T"; return; }
		what="fmod_ret: pid $T's open refused (EPERM), others' not"
	else
		[ -z "$ATT" ] && [ "$rc" != 0 ] && grep -q "prog 'deny_open'" /tmp/fm.err ||
			{ fail "fmod_ret without trampolines: attached, or no message (exit $rc)"; return; }
		what="fmod_ret refused, named (no trampolines: $(grep -m1 "deny_open" /tmp/fm.err | cut -c1-60))"
	fi
	# lsm: each exec of one process, where the BPF LSM is active
	start_bg ls run $o --prog lsm_exec
	/bin/busybox sh -c 'exec /bin/busybox true' &
	C=$!
	wait $C
	sleep 0.3
	kill -INT $R 2>/dev/null; wait $R; rc=$?
	cat /tmp/ls.err
	n=$(grep -c "lsm exec $C\$" /tmp/ls.out)
	if [ -n "$tramp" ]; then
		[ -n "$ATT" ] && [ "$rc" = 0 ] || { fail "lsm: not attached (exit $rc)"; return; }
		if [ -n "$active" ]; then
			[ "$n" = 2 ] || { fail "lsm: $n lines for pid $C's two execs (want 2)"; return; }
			what="$what; lsm: both execs of pid $C seen"
		else
			[ "$n" = 0 ] || { fail "lsm: $n lines though the BPF LSM is not active"; return; }
			what="$what; lsm: attaches, silent, as the BPF LSM is not active here ($lsms)"
		fi
	else
		[ -z "$ATT" ] && [ "$rc" != 0 ] || { fail "lsm without trampolines: attached (exit $rc)"; return; }
		what="$what; lsm refused"
	fi
	pass "$what; probe: BPF LSM $want"
}

# fentry on a module's function (test/progs/module_fentry.bpf.o on binfmt_misc's
# load_misc_binary, the module packed by the matrix per kernel): the target's id is found in the
# module's BTF (/sys/kernel/btf/binfmt_misc, CONFIG_DEBUG_INFO_BTF_MODULES: not on 5.10) and the
# program loaded with the module's BTF object as attach_btf_obj_fd; it fires for an exec of a
# file no binary format takes. Without module BTF, or without trampolines, the refusal is named.
check_module_fentry() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	o=/lib/rawbpf/module_fentry.bpf.o ko=/lib/modules/$KERNEL_RELEASE/binfmt_misc.ko
	[ -e $o ] || { fail "no $o"; return; }
	[ -e $ko ] || { skip "no binfmt_misc.ko for $KERNEL_RELEASE in the initramfs"; return; }
	insmod $ko || { fail "insmod $ko failed"; return; }
	btfm=; [ -e /sys/kernel/btf/binfmt_misc ] && btfm=1
	/bin/rawbpf probe 2>&1 | grep -E '^(fentry/fexit|module BTF) ' >/tmp/mf.probe
	cat /tmp/mf.probe
	tramp=; grep -Eq '^fentry/fexit +yes' /tmp/mf.probe && tramp=1
	# probe counts the modules with BTF as sysfs lists them (binfmt_misc's now, where there is any)
	nm=$(ls /sys/kernel/btf | grep -cv '^vmlinux$')
	grep -Eq "^module BTF +$nm modules " /tmp/mf.probe || { fail "probe: module BTF is not '$nm modules'"; return; }
	printf '\001\002junk' >/tmp/junk; chmod +x /tmp/junk
	start_bg mf run $o --explain
	/bin/busybox sh -c 'exec /tmp/junk' 2>/dev/null &
	C=$!
	wait $C
	sleep 0.3
	kill -INT $R 2>/dev/null; wait $R; rc=$?
	grep -E 'kernel BTF: FUNC|misc_load|attached' /tmp/mf.err; grep 'module fentry' /tmp/mf.out
	rmmod binfmt_misc
	if [ -z "$btfm" ]; then
		[ -z "$ATT" ] && [ "$rc" != 0 ] && grep -q "prog 'misc_load' (fentry/load_misc_binary): no function 'load_misc_binary' in the kernel's BTF" /tmp/mf.err ||
			{ fail "without module BTF: attached, or the refusal not named (exit $rc)"; return; }
		pass "no module BTF here (/sys/kernel/btf/binfmt_misc absent): refused, named"
	elif [ -z "$tramp" ]; then
		[ -z "$ATT" ] && [ "$rc" != 0 ] || { fail "without trampolines: attached (exit $rc)"; return; }
		grep -q 'kernel BTF: FUNC load_misc_binary = id [1-9][0-9]* in module binfmt_misc' /tmp/mf.err ||
			{ fail "the target not found in the module's BTF"; return; }
		pass "found in module binfmt_misc's BTF; refused (no trampolines), named"
	else
		[ -n "$ATT" ] && [ "$rc" = 0 ] || { fail "not attached (exit $rc)"; return; }
		grep -q 'kernel BTF: FUNC load_misc_binary = id [1-9][0-9]* in module binfmt_misc' /tmp/mf.err ||
			{ fail "the target not found in the module's BTF"; return; }
		grep -q 'attach_btf_obj_fd=[1-9]' /tmp/mf.err || { fail "no attach_btf_obj_fd in PROG_LOAD"; return; }
		[ "$(grep -c -- "-$C .*module fentry $C\$" /tmp/mf.out)" -ge 1 ] || { fail "no line for pid $C's exec"; return; }
		pass "fentry on binfmt_misc's load_misc_binary: id in the module's BTF, attach_btf_obj_fd, fired for pid $C; probe: $nm modules with BTF"
	fi
}

# Stacks as kernel symbols (test/progs/stacks.bpf.o: tp_btf/sched_process_exec fills a stack
# trace map and a record's kstack[]): each frame rawbpf prints is a text symbol of this kernel's
# /proc/kallsyms whose offset lies before the next symbol's address, the exec path's execve
# function is among them, and the record's stack is the map's but for the program's own frames.
check_stacks() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	o=/lib/rawbpf/stacks.bpf.o
	[ -e $o ] || { fail "no $o"; return; }
	start_bg st run $o --interval=0.3
	[ -n "$ATT" ] || { cat /tmp/st.err; fail "not attached"; return; }
	/bin/busybox sh -c 'exec /bin/busybox true' &
	C=$!
	wait $C
	i=0 # the first snapshot of the map (slow under TCG)
	while [ $i -lt 100 ] && ! grep -q '^stacks: .*\]$' /tmp/st.out; do sleep 0.1; i=$((i + 1)); done
	# the frames, while the program is loaded (its own frame is a symbol only then)
	sed -n 's/^stacks: [0-9]* => \[\(.*\)\]$/\1/p' /tmp/st.out | tail -n 1 | tr ',' '\n' | sed 's/^ //' >/tmp/st.frames
	[ -s /tmp/st.frames ] || { kill -INT $R; wait $R; cat /tmp/st.err; head -c 1500 /tmp/st.out; fail "no stack printed"; return; }
	awk 'function hex(s, n, i) { s = tolower(substr(s, length(s) - 11)); n = 0
			for (i = 1; i <= length(s); i++) n = n * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1; return n }
		NR == FNR { split($1, a, "+"); off[a[1]] = hex(substr(a[2], 3)); next }
		$2 ~ /^[tT]$/ { if (cur != "" && hex($1) > caddr) { gap[cur] = hex($1) - caddr; cur = "" }
			if (($3 in off) && !($3 in seen)) { seen[$3] = 1; if (NF == 3) { cur = $3; caddr = hex($1) } } }
		END { for (n in off) { v = !(n in seen) ? "missing" : (n in gap) && off[n] >= gap[n] ? "beyond" : "ok"; print n, v } }' \
		/tmp/st.frames /proc/kallsyms >/tmp/st.check 2>&1
	kill -INT $R 2>/dev/null; wait $R; rc=$?
	cat /tmp/st.err; head -c 600 /tmp/st.out; grep -v ' ok$' /tmp/st.check
	[ "$rc" = 0 ] || { fail "exit $rc"; return; }
	nf=$(wc -l </tmp/st.frames)
	[ "$nf" -ge 3 ] || { fail "a stack of $nf frames"; return; }
	grep -q "^$EXECVE_FN+0x" /tmp/st.frames || { fail "$EXECVE_FN not in the stack"; return; }
	grep -Eq ' (missing|beyond)$' /tmp/st.check && { fail "not so in kallsyms: $(grep -Ev ' ok$' /tmp/st.check | tr '\n' ' ')"; return; }
	# the map's stack of the record's stack id, the program's own frames left out (another call
	# site in it; 5.10 and arm64 6.1 show it twice in kstack[], which then holds one frame less)
	rec=$(grep -m 1 "^{pid=$C stack_id=" /tmp/st.out)
	id=$(echo "$rec" | sed -n 's/^{pid=[0-9]* stack_id=\([0-9]*\) .*/\1/p')
	recf=$(echo "$rec" | sed 's/.* kstack=\[//; s/\] ustack=\[0x[0-9a-f]*\]}$//; s/bpf_prog_[^,]*, //g')
	want=$(sed -n "s/^stacks: $id => \\[\\(.*\\)\\]\$/\\1/p" /tmp/st.out | tail -n 1 | sed 's/bpf_prog_[^,]*, //g')
	[ -n "$id" ] && [ -n "$recf" ] && case $want in "$recf"*) true ;; *) false ;; esac ||
		{ fail "pid $C's record (stack $id): '$recf', the map's: '$want'"; return; }
	pass "$nf frames, each a text symbol in kallsyms, $EXECVE_FN among them; the record's kstack[] the same"
}

# run -j on this kernel's trace line layout (4 flag characters on 5.10, 5 later; the (tgid)
# column of options/record-tgid): each Hello World line parses into its fields, with as many
# flag characters as the text line of a plain run shows, and no line comes back unparsed.
check_json_trace() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	hello_job
	[ -n "$SEEN" ] || { fail "plain run: no Hello World line"; return; }
	flags=$(awk '/Hello World/ { for (i = 1; i < NF; i++) if ($i ~ /^\[[0-9]+\]$/) { print $(i + 1); exit } }' /tmp/job.out)
	n=${#flags}
	[ "$n" -ge 4 ] || { fail "no flags column in the text line"; return; }
	mount_ours
	tgid=; [ -e $TRACEFS/options/record-tgid ] && echo 1 >$TRACEFS/options/record-tgid && tgid=1
	hello_job -j
	[ -n "$tgid" ] && echo 0 >$TRACEFS/options/record-tgid
	unmount_ours
	[ -n "$SEEN" ] && [ "$RC" = 0 ] || { fail "-j run: no Hello World (exit $RC)"; return; }
	re='^\{"type":"trace","comm":"[^"]+","pid":[0-9]+,"cpu":[0-9]+,"flags":"[^" ]{'$n'}","ts":[0-9]+\.[0-9]+,"msg":"Hello World!"\}$'
	good=$(grep -cE "$re" /tmp/job.out)
	all=$(grep -c 'Hello World' /tmp/job.out)
	[ "$good" -ge 1 ] && [ "$good" = "$all" ] || { fail "$good of $all Hello World lines parsed into fields with $n flag characters"; return; }
	grep -q '"line":' /tmp/job.out && { fail "a line came back unparsed"; return; }
	pass "$good lines as JSON fields, flags of $n characters ($flags)${tgid:+, with the (tgid) column}"
}

# rawbpf probe where there are kprobes: the PMU type it reports is sysfs's, the syscall prefix
# is the one found above, BPF links on perf events exist from 5.15 on, the default job runs
# through kprobes; exit 0, and nothing left mounted or loaded.
# rawbpf's trace_pipe_raw reader (loader/traceraw.c) against the kernel's own text of the same
# events, as test/traceraw.bats does: lines made while rawbpf is stopped (long and short records,
# each CPU, a pause that needs a time-extend record), the kernel's text from the non-consuming
# trace file, then rawbpf reads the raw pages and must print exactly those lines. dd's comm is
# what the program matches: a symlink named dd to busybox, run by path, so that it is exec'd.
check_trace_raw() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	mkdir -p /tmp/rbdd && ln -sf /bin/busybox /tmp/rbdd/dd
	m=
	tracefs_mounted || { mount -t tracefs tracefs $TRACEFS && m=1; }
	rawbpf run /lib/rawbpf/traceraw.bpf.o --explain >/tmp/tr.out 2>/tmp/tr.err &
	pid=$!
	for _ in $(seq 100); do grep -q "attached to" /tmp/tr.err && break; sleep 0.1; done
	# trace_pipe_raw is read once trace_pipe is busy (half a page at a wakeup): ~9 KB of lines
	kill -STOP $pid
	/tmp/rbdd/dd if=/dev/zero of=/dev/null bs=1 count=40 2>/dev/null
	kill -CONT $pid
	for _ in $(seq 100); do grep -qE "trace_pipe_raw (of|not used)" /tmp/tr.err && break; sleep 0.1; done
	sleep 0.3
	kill -STOP $pid
	pids=
	for c in $(seq 0 $(($(grep -c '^processor' /proc/cpuinfo) > 1 ? 1 : 0))); do
		taskset -c $c /tmp/rbdd/dd if=/dev/zero of=/dev/null bs=1 count=12 2>/dev/null &
		pids="$pids $!"
	done
	wait $pids
	sleep 0.3
	/tmp/rbdd/dd if=/dev/zero of=/dev/null bs=1 count=5 2>/dev/null
	grep -v '^#' $TRACEFS/trace >/tmp/tr.kernel
	kill -CONT $pid
	sleep 0.5
	kill -INT $pid
	wait $pid
	rc=$?
	[ -n "$m" ] && umount $TRACEFS
	n=$(grep -c 'bpf_trace_printk: read .* takes the other form$' /tmp/tr.kernel)
	cat /tmp/tr.err
	if [ $rc != 0 ]; then fail "rawbpf exit $rc"
	elif ! grep -q "explain: trace_pipe_raw of [0-9]* CPUs" /tmp/tr.err; then fail "trace_pipe_raw not used: $(grep 'trace_pipe_raw not used' /tmp/tr.err)"
	elif [ "$n" -lt 17 ]; then fail "only $n long lines in the kernel's text"
	elif ! tail -n "$(wc -l </tmp/tr.kernel)" /tmp/tr.out | diff /tmp/tr.kernel -; then fail "lines differ from the kernel's"
	elif ! sed -nE 's/.* bpf_trace_printk: (read|write) ([0-9]+).*/\2/p' /tmp/tr.out | sort -un |
		awk '$1 != NR - 1 { bad = 1; exit } END { exit bad || NR < 57 }'; then
		fail "lines lost at the switch from trace_pipe (the program numbers its lines: a gap, or under 57)"
	else pass "$(wc -l </tmp/tr.kernel) lines as the kernel formats them, e.g. $(tail -n 1 /tmp/tr.out | cut -c1-60)"
	fi
}

check_probe() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	tracefs_mounted && { fail "tracefs already mounted before this check"; return; }
	/bin/rawbpf probe >/tmp/probe.out 2>&1
	rc=$?
	cat /tmp/probe.out
	[ "$rc" = 0 ] || { fail "exit status $rc"; return; }
	grep -Eq "^kprobe PMU +type $KPROBE_PMU_TYPE +/sys/bus/event_source/devices/kprobe/type\$" /tmp/probe.out ||
		{ fail "no 'kprobe PMU  type $KPROBE_PMU_TYPE' line"; return; }
	grep -Eq '^kprobe_events +yes ' /tmp/probe.out || { fail "kprobe_events not found"; return; }
	grep -Eq "^syscall prefix +$SYSCALL_PREFIX " /tmp/probe.out || { fail "syscall prefix is not $SYSCALL_PREFIX"; return; }
	grep -Eq '^default job +runs +kprobe on the execve function' /tmp/probe.out || { fail "the default job does not run through kprobes"; return; }
	links=$(sed -n 's/^perf event links *\([a-z]*\) .*/\1/p' /tmp/probe.out)
	case $KERNEL_RELEASE in 5.10.*) want=no ;; *) want=yes ;; esac
	[ "$links" = "$want" ] || { fail "perf event links: '$links', expected $want on $KERNEL_RELEASE"; return; }
	tracefs_mounted && { fail "tracefs left mounted"; return; }
	i=0
	while left=$(our_progs_left) && [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
	[ -z "$left" ] || { fail "still loaded: $left"; return; }
	pass "kprobe PMU type $KPROBE_PMU_TYPE (as sysfs says), syscall prefix $SYSCALL_PREFIX, perf event links $links; default job runs; nothing left"
}

# User-space probes on test/uprobe_target.c, built static for this architecture (busybox's
# binaries are static too, and the initramfs has no libc). uprobe_run MODE SIG OBJ ARGS...: runs
# rawbpf with --attach=MODE until it attached, the target once (3 calls), stops rawbpf with SIG;
# sets TPID (the target's pid), RC, ATTACH (rawbpf's attach lines), LEFT (our uprobe_events lines).
UT=/lib/rawbpf/uprobe_target.static
uprobe_run() {
	local mode=$1 sig=$2 pid i
	shift 2
	rm -f /tmp/u.out /tmp/u.err
	/bin/rawbpf run "$@" --attach=$mode >/tmp/u.out 2>/tmp/u.err &
	pid=$!
	wait_attached /tmp/u.err || { cat /tmp/u.err; kill -INT $pid; wait $pid; return 1; }
	sleep 0.3 # a second attach line
	TPID=$($UT 3 | sed -n 's/^pid \([0-9]*\) calls 3$/\1/p')
	sleep 0.5
	kill -$sig $pid
	wait $pid
	RC=$?
	ATTACH=$(grep 'attached to' /tmp/u.err)
	echo "\$ rawbpf run $* --attach=$mode (SIG$sig)"
	cat /tmp/u.err /tmp/u.out
	mount_ours || return 1
	LEFT=$(grep "rawbpf/rawbpf_${pid}_" $TRACEFS/uprobe_events)
	unmount_ours
}
# once MESSAGE: exactly one trace line of the target's pid ends with MESSAGE.
once() {
	local n
	n=$(grep -F -- "bpf_trace_printk: $1" /tmp/u.out | grep -c -- "-$TPID ")
	[ "$n" = 1 ] || { fail "'$1': $n lines from pid $TPID, expected 1 ($ATTACH)"; return 1; }
}
# The path's words in the attach lines, and the run's end.
uprobe_verdict() { # MODE
	local want="(uprobe PMU" tag
	[ "$1" = legacy ] && want="(uprobe_events: rawbpf/"
	[ -n "$TPID" ] || { fail "$1: the target did not run"; return 1; }
	echo "$ATTACH" | grep -qF "$want" || { fail "$1: attached the wrong way: $ATTACH"; return 1; }
	[ "$RC" = 0 ] || { fail "$1: exit status $RC"; return 1; }
	[ -z "$LEFT" ] || { fail "$1: left in uprobe_events: $LEFT"; return 1; }
}

# uprobe arguments (rb_add) and uretprobe results (rb_mul), libbpf's BPF_KPROBE/BPF_KRETPROBE, on
# the uprobe PMU and on uprobe_events, stopped by SIGINT and SIGTERM: each call once, exit 0,
# nothing left in uprobe_events.
check_uprobe() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	[ -x $UT ] || { fail "no $UT in the initramfs"; return; }
	[ -n "$UPROBE_PMU_TYPE" ] || { fail "no uprobe PMU in this kernel"; return; }
	for mode in pmu legacy; do
		for sig in INT TERM; do
			uprobe_run $mode $sig /lib/rawbpf/uprobe.bpf.o --prog add_entry,mul_return \
				--attach-to add_entry=$UT:rb_add --attach-to mul_return=$UT:rb_mul || { fail "$mode: never attached"; return; }
			for i in 1 2 3; do
				once "rb_add($i, $((100 * i))) pid $TPID" || return
				once "rb_mul returned $((-7 * i)) pid $TPID" || return
			done
			uprobe_verdict $mode || return
		done
	done
	pass "uprobe rb_add(i, 100i), uretprobe rb_mul = -7i, each call once, on the PMU and uprobe_events; SIGINT, SIGTERM: exit 0, uprobe_events clean"
}

# USDT rawbpf_test:tick(i, -1000i, 42, 101i) through libbpf's usdt.bpf.h: the spec id in a BPF
# cookie where the kernel has them (5.15+), else by the probe's address; its semaphore raised.
check_usdt() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	[ -x $UT ] || { fail "no $UT in the initramfs"; return; }
	case $KERNEL_RELEASE in 5.10.*) how="spec ids by address" ;; *) how="spec ids in BPF cookies" ;; esac
	for mode in pmu legacy; do
		uprobe_run $mode INT /lib/rawbpf/usdt.bpf.o --attach-to tick=$UT:rawbpf_test:tick || { fail "$mode: never attached"; return; }
		for i in 1 2 3; do
			once "tick $i $((-1000 * i)) 42" || return
			once "tick sum $((101 * i)) pid $TPID args 4" || return
		done
		echo "$ATTACH" | grep -qF "; $how)" || { fail "$mode: expected '$how': $ATTACH"; return; }
		uprobe_verdict $mode || return
	done
	pass "USDT arguments (i, -1000i, 42, 101i) each once through BPF_USDT, $how, on the PMU and uprobe_events; uprobe_events clean"
}

# Runs OBJ, execs, until its output (/tmp/ext.out) has a line with WORD (at most 5 s; TCG is slow).
run_one_exec() {
	/bin/rawbpf run "$1" >/tmp/ext.out 2>/tmp/ext.err &
	pid=$!
	i=0
	while ! grep -q attached /tmp/ext.err && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	i=0
	while ! grep -q "bpf_trace_printk: $2" /tmp/ext.out && [ $i -lt 25 ]; do do_execve; sleep 0.2; i=$((i + 1)); done
	kill -INT $pid
	wait $pid
}

# .kconfig externs: values from /boot/config-<release> (Debian kernels have no /proc/config.gz;
# the matrix packs each kernel's config there), LINUX_* from the kernel: what the config says,
# LINUX_KERNEL_VERSION as the Debian version in uname -v (the release string's is the ABI's).
check_kconfig() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	cfg=/boot/config-$KERNEL_RELEASE
	[ -r "$cfg" ] || { fail "no $cfg in the initramfs"; return; }
	val() { sed -n "s/^$1=//p" "$cfg"; }
	tri() { case $(val "$1") in y) echo 1 ;; m) echo 2 ;; *) echo 0 ;; esac; }
	set -- $(uname -v | sed -n 's/.*Debian \([0-9]*\)\.\([0-9]*\)\.\([0-9]*\).*/\1 \2 \3/p')
	[ $# = 3 ] || set -- $(echo "$KERNEL_RELEASE" | sed 's/^\([0-9]*\)\.\([0-9]*\)\.\([0-9]*\).*/\1 \2 \3/')
	kv=$(( ($1 << 16) + ($2 << 8) + ($3 > 255 ? 255 : $3) ))
	case $KERNEL_RELEASE in 5.10.*) cookie=0 ;; *) cookie=1 ;; esac
	wrap=0
	grep -qx "${SYSCALL_PREFIX}bpf" /tmp/syscall-syms && [ "$SYSCALL_PREFIX" != sys_ ] && wrap=1
	jit=$(val CONFIG_BPF_JIT)
	[ -n "$jit" ] && jit=$(printf '%d' "'$jit") || jit=0
	host=$(val CONFIG_DEFAULT_HOSTNAME | tr -d '"' | cut -c1-7)
	bpf=0; [ "$(val CONFIG_BPF)" = y ] && bpf=1
	want="kc1 $kv $cookie $wrap|kc2 $(tri CONFIG_BPF_SYSCALL) $bpf $jit|kc3 $(val CONFIG_HZ) $(val CONFIG_NR_CPUS) $host|kc4 0 0"
	run_one_exec /lib/rawbpf/kconfig.bpf.o kc4
	cat /tmp/ext.err
	got=$(sed -n 's/.*bpf_trace_printk: \(kc[1-4] .*\)/\1/p' /tmp/ext.out | head -n 4 | tr '\n' '|')
	[ "$got" = "$want|" ] && pass "$want" || fail "got '$got', want '$want|'"
}

# .ksyms: a typed per-CPU variable (bpf_prog_active is 1 inside a tracepoint program; Debian
# kernels have CONFIG_KALLSYMS_ALL, so the kernel finds its address), kfuncs where they exist
# (bpf_iter_num_*, 6.4+), an untyped ksym's address as /proc/kallsyms has it.
check_ksyms() {
	[ -e /bin/rawbpf ] || { skip "no /bin/rawbpf in the initramfs"; return; }
	# (the name in the BTF's strings; bpftool's dump of all of it takes too long under TCG)
	if ! grep -q bpf_prog_active /sys/kernel/btf/vmlinux; then
		# older pahole wrote no per-CPU variables into the kernel's BTF (bullseye's 5.10)
		/bin/rawbpf load /lib/rawbpf/ksym_var.bpf.o >/tmp/ext.err 2>&1
		rc=$?
		cat /tmp/ext.err
		[ $rc = 1 ] && grep -q "^rawbpf: extern 'bpf_prog_active' is not in the kernel's BTF" /tmp/ext.err ||
			{ fail "the kernel's BTF has no VAR bpf_prog_active, and rawbpf did not say so (exit $rc)"; return; }
		pass "the kernel's BTF has no VAR bpf_prog_active: refused by name (no kfunc iterators before 6.4)"
		return
	fi
	if ! grep -qx CONFIG_KALLSYMS_ALL=y "/boot/config-$KERNEL_RELEASE"; then
		# the kernel finds a variable's address by name, in kallsyms: variables are there with
		# CONFIG_KALLSYMS_ALL only (not in bookworm's arm64 kernel)
		/bin/rawbpf load /lib/rawbpf/ksym_var.bpf.o >/tmp/ext.err 2>&1
		rc=$?
		cat /tmp/ext.err
		[ $rc = 4 ] && grep -q "failed to find the address for kernel symbol 'bpf_prog_active'" /tmp/ext.err ||
			{ fail "without CONFIG_KALLSYMS_ALL: exit $rc, not the verifier's refusal naming bpf_prog_active"; return; }
		what="typed ksym refused by the kernel, naming it (no CONFIG_KALLSYMS_ALL)"
	else
		run_one_exec /lib/rawbpf/ksym_var.bpf.o "ksym active"
		cat /tmp/ext.err
		grep -q "bpf_trace_printk: ksym active 1\$" /tmp/ext.out || { grep ksym /tmp/ext.out | head -n 3; fail "no 'ksym active 1' from the typed ksym"; return; }
		what="typed ksym bpf_prog_active = 1"
	fi
	case $KERNEL_RELEASE in 5.*|6.[0-3].*) pass "$what (no kfunc iterators before 6.4)"; return ;; esac
	run_one_exec /lib/rawbpf/ksyms.bpf.o "ksyms put"
	cat /tmp/ext.err
	addr=$(awk '$3 == "bpf_prog_put" { print $1; exit }' /proc/kallsyms | sed 's/^0*//')
	grep -q "bpf_trace_printk: ksyms sum 10\$" /tmp/ext.out || { fail "no 'ksyms sum 10' from the kfunc iterator"; return; }
	grep -q "bpf_trace_printk: ksyms put $addr\$" /tmp/ext.out || { fail "no 'ksyms put $addr' (bpf_prog_put in kallsyms)"; return; }
	pass "$what; kfuncs sum 0..4 = 10; bpf_prog_put at $addr"
}

# --- runner ----------------------------------------------------------------------------------
exec 3>&1
checks_start=$(cut -d' ' -f1 /proc/uptime)
timeout_s=${RAWBPF_CHECK_TIMEOUT:-30}
checks=$(sed -n 's/^check_\([A-Za-z0-9_]*\)() *{.*/\1/p' "$0")
wanted=,$(echo "${RAWBPF_CHECKS:-}" | tr - _),

for fn in $checks; do
	if [ "$wanted" != ",," ]; then
		case $wanted in *,"$fn",*) ;; *) continue ;; esac
	fi
	CHECK=$(echo "$fn" | tr _ -)
	out=/tmp/checks/$CHECK.out
	( "check_$fn" ) </dev/null >"$out" 2>&1 &
	pid=$!
	# Watchdog: a check that hangs is killed and reported, the rest still run. Some take longer
	# under TCG than one check: loading every object (each CO-RE object reads the kernel's BTF),
	# and stacks and probe, which read /proc/kallsyms (stacks twice: rawbpf, then busybox awk over
	# every line; over 30 s on the arm64 16 KiB-page kernel on one machine).
	limit=$timeout_s
	case $fn in load_objects | stacks | probe) limit=$((timeout_s * 4)) ;; esac
	( sleep "$limit"; touch "/tmp/checks/$CHECK.timeout"; kill -9 $pid ) 2>/dev/null &
	wd=$!
	wait $pid
	kill $wd 2>/dev/null
	if [ -e "/tmp/checks/$CHECK.timeout" ]; then
		fail "timed out after ${limit} s"
	elif ! [ -e "/tmp/checks/$CHECK.result" ]; then
		fail "check_$fn ended without pass, fail or skip"
	fi
	if { [ "$(cat "/tmp/checks/$CHECK.result")" = FAIL ] || [ -n "$RAWBPF_VERBOSE" ]; } && [ -s "$out" ]; then
		tail -n 20 "$out" | sed "s/^/RAWBPF-LOG $CHECK: /"
	fi
done

# Kernel warnings and worse during the checks (hidden from the console by printk level 1).
dmesg -r 2>/dev/null | awk -v start="$checks_start" '
	/^<[0-9]+>\[/ {
		lvl = substr($0, 2, index($0, ">") - 2) % 8
		ts = $0; sub(/^<[0-9]+>\[ */, "", ts); sub(/\].*/, "", ts)
		if (lvl <= 4 && ts + 0 >= start + 0) { sub(/^<[0-9]+>/, ""); print "RAWBPF-DMESG " $0 }
	}'

fact done_uptime "$(cut -d' ' -f1 /proc/uptime)"
echo RAWBPF-DONE
sync
poweroff -f
# If ACPI/PSCI power-off is missing, a reboot also ends QEMU (-no-reboot).
reboot -f
