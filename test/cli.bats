#!/usr/bin/env bats
# The command line: help, version, usage errors, and objects that are missing or broken.

load helpers

@test "--help lists the commands, options and exit codes" {
	run "$RAWBPF" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"run OBJ"* && "$output" == *"load OBJ"* && "$output" == *"--duration"* ]]
	[[ "$output" == *"--attach=MODE"* && "$output" == *"exit codes"* && "$output" == *"hello"* ]]
}

@test "--version names the architecture" {
	run "$RAWBPF" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "rawbpf "*"($(uname -m))" ]]
}

@test "usage errors exit 2 with a one-line reason" {
	run "$RAWBPF" --bogus
	[ "$status" -eq 2 ]
	[[ "$output" == *"rawbpf: unknown option '--bogus'"* ]]
	run "$RAWBPF" --duration=abc
	[ "$status" -eq 2 ]
	[[ "$output" == *"--duration: expected a positive number of seconds, got 'abc'"* ]]
	run "$RAWBPF" --duration=0
	[ "$status" -eq 2 ]
	run "$RAWBPF" --attach=uprobe
	[ "$status" -eq 2 ]
	[[ "$output" == *"--attach: expected auto, pmu, legacy, kprobe, kprobe-legacy or tracepoint, got 'uprobe'"* ]]
	run "$RAWBPF" frobnicate
	[ "$status" -eq 2 ]
	[[ "$output" == *"unknown command 'frobnicate'"* ]]
	run "$RAWBPF" run
	[ "$status" -eq 2 ]
	run "$RAWBPF" run hello extra
	[ "$status" -eq 2 ]
}

@test "a missing object file exits 3 and names it" {
	run "$RAWBPF" load /nonexistent/x.bpf.o
	[ "$status" -eq 3 ]
	[ "$output" = "rawbpf: open /nonexistent/x.bpf.o: No such file or directory" ]
}

@test "an unknown built-in name exits 3 with a hint" {
	run "$RAWBPF" run nosuchthing
	[ "$status" -eq 3 ]
	[[ "$output" == *"open nosuchthing: No such file or directory"* ]]
	[[ "$output" == *"not a built-in object"* ]]
}

@test "a directory, an empty file and a file over 100 MiB are refused clearly" {
	run "$RAWBPF" load "$BATS_TEST_TMPDIR"
	[ "$status" -eq 3 ]
	[[ "$output" == *"it is a directory"* ]]
	: >"$BATS_TEST_TMPDIR/empty.o"
	run "$RAWBPF" load "$BATS_TEST_TMPDIR/empty.o"
	[ "$status" -eq 3 ]
	[[ "$output" == *"empty.o: the file is empty"* ]]
	truncate -s 101M "$BATS_TEST_TMPDIR/big.o"
	run "$RAWBPF" load "$BATS_TEST_TMPDIR/big.o"
	[ "$status" -eq 3 ]
	[[ "$output" == *"file too large (105906176 bytes; the limit is 100 MiB)"* ]]
}

@test "broken objects from the corpus exit 3 with the corpus's message" {
	for f in "$ROOT"/test/corpus/*.o; do
		run "$RAWBPF" load "$f"
		[ "$status" -eq 3 ] || { echo "$f: status $status"; false; }
		[ "$output" = "rawbpf: $f: $(cat "${f%.o}.expect")" ] || { echo "$f: $output"; false; }
	done
}

# A write to stdout that fails (a full disk here) is reported, and the exit status says so; a
# reader that goes away (| head) is not an error.
@test "stdout on a full device: exit 1, the write error reported, not lost" {
	"$RAWBPF" inspect --disasm hello-tail >/dev/full 2>"$BATS_TEST_TMPDIR/err" && false || [ $? -eq 1 ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "rawbpf: writing the output: No space left on device" ]
	"$RAWBPF" inspect hello >/dev/full 2>"$BATS_TEST_TMPDIR/err" && false || [ $? -eq 1 ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "rawbpf: writing the output: No space left on device" ]
	[ "$("$RAWBPF" inspect --disasm hello-tail 2>&1 | head -n 1)" = "object hello-tail: license \"GPL\"" ]
}
