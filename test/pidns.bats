#!/usr/bin/env bats
# Legacy probe events and pid namespaces: a rawbpf in another pid namespace (a container) names
# its events after that namespace, and the stale sweep of a rawbpf here removes only events of
# its own namespace whose pid is dead: a pid of another namespace proves nothing here. Shown on
# uprobe_events (this machine's kernel has no kprobe_events); kprobe_events share the code.

load helpers

T="$TOBJ/uprobe_target"
UOBJ="$TOBJ/uprobe.bpf.o"

# The file offset of function $2 of ELF file $1 (its address, in the LOAD segment that holds it).
file_off() {
	local v o va fs
	v=$(readelf -W -s "$1" | awk -v s="$2" '$8 == s && $4 == "FUNC" { print $2; exit }')
	while read -r o va fs; do
		if (( 16#$v >= va && 16#$v < va + fs )); then printf '0x%x\n' $(( 16#$v - va + o )); return; fi
	done < <(readelf -W -l "$1" | awk '$1 == "LOAD" { print $2, $3, $5 }')
}

setup() {
	need_root
	[ -x "$T" ] || { echo "no $T: make build/test/uprobe_target" >&2; return 1; }
	in_tracefs test -e "$TRACEFS/uprobe_events" || skip "no uprobe_events in this kernel"
	OFF=$(file_off "$T" rb_add)
	[ -n "$OFF" ]
	NS=$(readlink /proc/self/ns/pid | tr -dc 0-9)
	SUFFIX=
	[ "$NS" = 4026531836 ] || SUFFIX=_ns$NS
	RB_PID= UNS_PID=
}

teardown() {
	[ -z "$RB_PID" ] || kill -KILL "$RB_PID" 2>/dev/null || true
	# a failed check must not leave the namespace's rawbpf holding bats' output open (bats would
	# wait for it forever): its pid 1 is unshare's child, and killing it ends the namespace
	if [ -n "$UNS_PID" ]; then
		local f st
		for f in /proc/[0-9]*/stat; do
			st=$(cat "$f" 2>/dev/null) || continue
			st=${st##*) } # after the comm, which may hold spaces: state, then the parent's pid
			set -- $st
			[ "${2:-}" = "$UNS_PID" ] && kill -KILL "${f//[!0-9]/}" 2>/dev/null
		done
		kill -KILL "$UNS_PID" 2>/dev/null || true
	fi
	in_tracefs sh -c "grep -o 'rawbpf/rawbpf_[0-9]*_[0-9]*_ns[0-9]*' $TRACEFS/uprobe_events | grep -v '_ns$NS\$' | sed 's/^/-:/' >>$TRACEFS/uprobe_events" 2>/dev/null || true
}

@test "the stale sweep removes a dead pid's event of our pid namespace, never one of another namespace" {
	dead=$(sh -c 'echo $$') # a pid that has exited
	in_tracefs sh -c "echo 'p:rawbpf/rawbpf_${dead}_0$SUFFIX $T:$OFF' >>$TRACEFS/uprobe_events &&
		echo 'p:rawbpf/rawbpf_${dead}_1_ns4026599999 $T:$OFF' >>$TRACEFS/uprobe_events"
	start_rawbpf run "$UOBJ" --prog add_entry --attach=legacy --attach-to "add_entry=$T:rb_add"
	stop_rawbpf INT
	left=$(in_tracefs cat "$TRACEFS/uprobe_events")
	cat "$BATS_TEST_TMPDIR/err"
	echo "left: $left"
	[ "$RB_STATUS" -eq 0 ]
	grep -qx "rawbpf: removed the stale probe rawbpf/rawbpf_${dead}_0$SUFFIX of dead process $dead" "$BATS_TEST_TMPDIR/err"
	[[ "$left" != *"rawbpf_${dead}_0$SUFFIX "* ]]
	[[ "$left" == *"p:rawbpf/rawbpf_${dead}_1_ns4026599999 "* ]]
	in_tracefs sh -c "echo '-:rawbpf/rawbpf_${dead}_1_ns4026599999' >>$TRACEFS/uprobe_events"
	nothing_left
}

@test "a rawbpf in a new pid namespace names its legacy events after it; killed, its event is not swept from here" {
	command -v unshare >/dev/null || { echo "unshare is required (util-linux)"; false; }
	# sh stays pid 1 of the new namespace, rawbpf is its child
	unshare -p -f --mount-proc sh -c '"$@"; :' sh "$RAWBPF" run "$UOBJ" --prog add_entry --attach=legacy \
		--attach-to "add_entry=$T:rb_add" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	UNS_PID=$!
	for _ in $(seq 100); do grep -q 'attached to' "$BATS_TEST_TMPDIR/err" && break; sleep 0.05; done
	cat "$BATS_TEST_TMPDIR/err"
	ev=$(in_tracefs cat "$TRACEFS/uprobe_events" | grep -o 'rawbpf/rawbpf_[0-9]*_0_ns[0-9]*' | grep -v "_ns$NS\$" | head -n 1)
	echo "its event: $ev"
	[ -n "$ev" ]
	grep -qF "(uprobe_events: $ev)" "$BATS_TEST_TMPDIR/err"
	# SIGKILL to every process of that namespace, as when a container is killed: the event stays
	for p in /proc/[0-9]*; do
		# (an if: the loop's status must not be the last process's test, which fails the test
		# whenever the newest process is not in that namespace)
		if [ "$(readlink "$p/ns/pid" 2>/dev/null)" = "pid:[${ev##*_ns}]" ]; then kill -KILL "${p#/proc/}" 2>/dev/null || true; fi
	done
	wait
	in_tracefs cat "$TRACEFS/uprobe_events" | grep -qF "$ev "
	# a rawbpf here cannot prove that pid of another namespace dead: it leaves the event
	start_rawbpf run "$UOBJ" --prog add_entry --attach=legacy --attach-to "add_entry=$T:rb_add"
	stop_rawbpf INT
	cat "$BATS_TEST_TMPDIR/err"
	[ "$RB_STATUS" -eq 0 ]
	! grep -q "removed the stale probe $ev" "$BATS_TEST_TMPDIR/err" || false
	in_tracefs cat "$TRACEFS/uprobe_events" | grep -qF "$ev "
	in_tracefs sh -c "echo '-:$ev' >>$TRACEFS/uprobe_events"
	nothing_left
}
