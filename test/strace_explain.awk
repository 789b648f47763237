# Holds rawbpf's --explain to what strace saw: every call into the kernel's BPF, perf, tracefs,
# sysfs, procfs, mount and signal interfaces must have its narration line, in order.
# Usage: awk -f strace_explain.awk STDERR_FILE STRACE_FILE (rawbpf --explain, strace -f -y -qq).
# Each strace line that is such a call gives a key, what its narration must contain:
#   bpf(CMD, ...)                       "bpf(CMD"
#   ioctl(fd, REQ, ...)                 "REQ"
#   perf_event_open, ppoll, rt_sig*, signalfd4, kill, prlimit64, uname, mmap: "NAME("
#   munmap(ADDR, ...) of an address a shared mapping returned: "munmap(ADDR"
#   openat, statx, statfs, readlinkat, mkdirat, mount, umount2 of a /sys or /proc path: the path
#   read, write of an fd on /sys or /proc: the file's name; of a signalfd: "signalfd"
# Other calls (the object file, stdout, the allocator's anonymous mappings, close, clock_gettime)
# are not kernel interfaces and are not looked at.
# Matching: narration lines are consumed in order; a call matches the next narration line that
# contains its key. A narration line covers the further calls of its own file (an open and its
# reads: one narration), and one saying "repeats are not narrated" covers the later calls with
# any key it contains (the run loop's polls and reads). Anything else unmatched fails, naming the
# call and the narration it came after.
FNR == 1 { file++ }
file == 1 {
	if (sub(/^explain: /, ""))
		n[++nn] = $0
	next
}
function quoted(s, k,   i) { # the k-th "..." string of s
	for (i = 1; i <= k; i++) {
		if (!match(s, /"[^"]*"/))
			return ""
		q = substr(s, RSTART + 1, RLENGTH - 2)
		s = substr(s, RSTART + RLENGTH)
	}
	return q
}
function fdpath(s) { # "3</sys/x>" -> /sys/x
	if (!match(s, /^[0-9]+<[^>]*>/))
		return ""
	s = substr(s, 1, RLENGTH - 1)
	sub(/^[0-9]+</, "", s)
	return s
}
function kernelpath(p) { return p ~ /^\/(sys|proc)(\/|$)/ }
{
	line = $0
	sub(/^[0-9]+ +/, "", line)
	if (line ~ /^(\+\+\+|---)/ || !match(line, /^[a-z_0-9]+\(/))
		next
	name = substr(line, 1, RLENGTH - 1)
	args = substr(line, RLENGTH + 1)
	key = ""; isfile = 0
	if (name == "bpf") {
		split(args, a, ",")
		key = "bpf(" a[1]
	} else if (name == "ioctl") {
		split(args, a, ", ")
		key = a[2]
	} else if (name ~ /^(perf_event_open|ppoll|rt_sigaction|rt_sigprocmask|signalfd4|kill|prlimit64|uname)$/) {
		key = name "("
	} else if (name == "mmap") {
		split(args, a, ", ")
		if (a[5] != "-1") {
			key = "mmap("
			isfile = kernelpath(fdpath(a[5])) # the mmap of a file its open's narration tells
			addr = line
			sub(/.*= /, "", addr)
			shared[addr] = 1
		}
	} else if (name == "munmap") {
		split(args, a, ", ")
		if (a[1] in shared)
			key = "munmap(" a[1]
	} else if (name ~ /^(openat|statx|readlinkat|mkdirat|statfs|umount2|mount)$/) {
		p = quoted(args, name == "mount" ? 2 : 1)
		if (p == "" && name == "statx")
			p = fdpath(args)
		if (kernelpath(p))
			{ key = p; isfile = 1 }
	} else if (name == "read" || name == "write") {
		p = fdpath(args)
		if (p ~ /signalfd/)
			key = "signalfd"
		else if (kernelpath(p)) {
			key = p
			sub(/.*\//, "", key)
			isfile = 1
		}
	}
	if (key == "")
		next
	calls++
	if (key in rep)
		next
	if (cur && index(n[cur], key) && (isfile || n[cur] ~ /repeats are not narrated/)) {
		# a file's open line covers its first read; that read's own "repeats" narration, where
		# one follows (the reads of trace_pipe_raw, saved_cmdlines), covers the later ones
		for (j = cur + 1; j <= nn; j++)
			if (index(n[j], key) && n[j] ~ /repeats are not narrated/) {
				rep[key] = 1
				break
			}
		next
	}
	for (j = cur + 1; j <= nn && !index(n[j], key); j++)
		;
	if (j > nn) {
		printf "not narrated: %s\n  (looked for \"%s\" after: %s)\n", $0, key, cur ? n[cur] : "the start"
		bad++
		next
	}
	cur = j
	if (n[j] ~ /repeats are not narrated/)
		rep[key] = 1
}
END {
	printf "%d kernel calls, %d narration lines, %d not narrated\n", calls, nn, bad
	exit bad > 0 || calls == 0
}
