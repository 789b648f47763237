#!/usr/bin/env bats
# Faults on the real kernel: stop signals at every moment of start-up must never leave a program
# loaded, a perf event open or tracefs mounted; objects rawbpf cannot use are refused clearly,
# with bounded memory. test/fault.c is the helper that times the signals and measures memory.
# (The legacy kprobe path gets the same signals in the QEMU matrix: check_signal_moments.)

load helpers

setup_file() {
	clang -O2 -Wall -Wextra -o "$BATS_FILE_TMPDIR/fault" "$BATS_TEST_DIRNAME/fault.c"
}

setup() {
	need_root
	FAULT="$BATS_FILE_TMPDIR/fault"
	# For "fault rss": LeakSanitizer (the asan pass) does not work under ptrace.
	RSS_ENV="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
}

teardown() {
	[ -n "${OBJDIR:-}" ] && rm -rf "$OBJDIR"
	true
}

@test "SIGINT, SIGTERM, SIGHUP at 100 moments of start-up each: exit 0, or death before anything exists; nothing left" {
	mounted_before=
	tracefs_mounted && mounted_before=1
	run "$FAULT" signals "$RAWBPF" 100 INT TERM HUP
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\n0 wrong' ]]
	# The moments covered the whole start-up: before signals were blocked, while loading and
	# attaching, and after the attached line.
	setup_total=0
	for sig in INT TERM HUP; do
		line=$(grep "^SIG$sig: " <<<"$output")
		[[ "$line" =~ ([0-9]+)\ early,\ ([0-9]+)\ setup,\ ([0-9]+)\ attached ]]
		[ "${BASH_REMATCH[1]}" -ge 1 ]
		[ "${BASH_REMATCH[3]}" -ge 1 ]
		setup_total=$((setup_total + BASH_REMATCH[2]))
	done
	[ "$setup_total" -ge 1 ]
	nothing_left
	if [ -z "$mounted_before" ]; then ! tracefs_mounted; fi
}

# An object rawbpf is given and cannot use; $1 the path, then what the one line must say.
# The run is "rawbpf load PATH" as user 65534; its peak memory goes to $PEAK.
refused_as_nobody() {
	run env "$RSS_ENV" "$FAULT" rss setpriv --reuid=65534 --regid=65534 --clear-groups "$RAWBPF" load "$1"
	echo "$output"
	[ "${#lines[@]}" -eq 2 ] # rawbpf's one line, then the helper's
	[ "${lines[0]}" = "rawbpf: $2" ]
	[[ "${lines[1]}" =~ ^exit\ 3\ vmhwm_kib\ ([0-9]+)$ ]]
	PEAK=${BASH_REMATCH[1]}
}

# rawbpf's peak memory when it does nothing but print its version.
baseline_kib() {
	run env "$RSS_ENV" "$FAULT" rss "$RAWBPF" --version
	[[ "${lines[1]}" =~ ^exit\ 0\ vmhwm_kib\ ([0-9]+)$ ]]
	echo "${BASH_REMATCH[1]}"
}

@test "as an unprivileged user: missing, unreadable, a directory, empty, over 100 MiB: exit 3, one clear line, memory as for --version" {
	OBJDIR=$(mktemp -d /tmp/rawbpf-fault.XXXXXX)
	chmod 755 "$OBJDIR"
	base=$(baseline_kib)
	cp "$ROOT/build/prog/hello.bpf.o" "$OBJDIR/unreadable.o"
	chmod 600 "$OBJDIR/unreadable.o"
	mkdir "$OBJDIR/dir.o"
	: >"$OBJDIR/empty.o"
	truncate -s 101M "$OBJDIR/big.o"
	chmod 644 "$OBJDIR/empty.o" "$OBJDIR/big.o"
	refused_as_nobody "$OBJDIR/missing.o" "open $OBJDIR/missing.o: No such file or directory"
	peaks="missing $PEAK"
	refused_as_nobody "$OBJDIR/unreadable.o" "open $OBJDIR/unreadable.o: Permission denied"
	peaks="$peaks, unreadable $PEAK"
	refused_as_nobody "$OBJDIR/dir.o" "read $OBJDIR/dir.o: it is a directory, not a BPF object file"
	peaks="$peaks, directory $PEAK"
	refused_as_nobody "$OBJDIR/empty.o" "read $OBJDIR/empty.o: the file is empty"
	peaks="$peaks, empty $PEAK"
	refused_as_nobody "$OBJDIR/big.o" "read $OBJDIR/big.o: file too large (105906176 bytes; the limit is 100 MiB)"
	peaks="$peaks, 101 MiB $PEAK"
	echo "peak KiB: --version $base, $peaks"
	# Refused before anything is read: within 1 MiB of what --version needs.
	for p in $(grep -o '[0-9]*$' <<<"${peaks//, /$'\n'}"); do
		[ "$p" -le $((base + 1024)) ] || { echo "peak $p KiB > $base + 1024"; false; }
	done
}

@test "a file just under the limit that is no ELF object: exit 3, memory as for --version (the file is mapped, one page read)" {
	[[ "$RAWBPF" != *asan* ]] || skip "the sanitizer build's malloc writes shadow memory for the whole 99 MiB buffer (about 12 MiB), which the shipped allocator never touches"
	OBJDIR=$(mktemp -d /tmp/rawbpf-fault.XXXXXX)
	chmod 755 "$OBJDIR"
	base=$(baseline_kib)
	truncate -s 99M "$OBJDIR/zeros.o"
	chmod 644 "$OBJDIR/zeros.o"
	refused_as_nobody "$OBJDIR/zeros.o" "$OBJDIR/zeros.o: not an ELF file (bad magic)"
	echo "peak $PEAK KiB, --version $base KiB"
	# rawbpf maps the file and looks at its header first: a 99 MiB file that is no ELF object
	# costs what --version costs, within 1 MiB (reading it all would be 99 MiB more).
	[ "$PEAK" -le $((base + 1024)) ] || { echo "peak $PEAK KiB > $base + 1024"; false; }
}
