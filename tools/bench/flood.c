/* The throughput section of `make bench` (tools/bench/run):
 *   flood gen N [RATE]   makes N system calls numbered FLOOD_NR (each one trace line, through
 *                        flood.bpf.o), as fast as it can or RATE a second; prints the time taken
 *   flood hold INSNS     loads INSNS (the bare instructions of flood.bpf.o's program) as a raw
 *                        tracepoint program, attaches it to sys_enter, says "attached" on stderr
 *                        and keeps it attached, reading nothing, until a signal ends it: the
 *                        program of the run where `cat trace_pipe` is the reader */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "flood.h"

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int gen(long n, double rate)
{
	double t0 = now_s();
	for (long i = 0; i < n; i++) {
		syscall(FLOOD_NR);
		if (rate > 0 && i % 64 == 63)
			while (now_s() - t0 < (i + 1) / rate)
				;
	}
	double dt = now_s() - t0;
	printf("%ld calls in %.3f s (%.0f a second)\n", n, dt, n / dt);
	return 0;
}

static int hold(const char *path)
{
	static struct bpf_insn insns[4096];
	char log[65536] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, insns, sizeof insns);
	if (n <= 0 || n % sizeof insns[0]) {
		fprintf(stderr, "flood hold: cannot read instructions from %s\n", path);
		return 1;
	}
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.prog_type = BPF_PROG_TYPE_RAW_TRACEPOINT;
	a.insns = (unsigned long)insns;
	a.insn_cnt = (unsigned)(n / sizeof insns[0]);
	a.license = (unsigned long)"GPL";
	a.log_buf = (unsigned long)log;
	a.log_size = sizeof log;
	a.log_level = 1;
	int prog = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
	if (prog < 0) {
		perror("flood hold: BPF_PROG_LOAD");
		fputs(log, stderr);
		return 1;
	}
	memset(&a, 0, sizeof a);
	a.raw_tracepoint.name = (unsigned long)"sys_enter";
	a.raw_tracepoint.prog_fd = (unsigned)prog;
	if (syscall(SYS_bpf, BPF_RAW_TRACEPOINT_OPEN, &a, sizeof a) < 0) {
		perror("flood hold: BPF_RAW_TRACEPOINT_OPEN");
		return 1;
	}
	fprintf(stderr, "flood hold: attached\n");
	for (;;)
		pause(); /* a signal's default action ends us; the kernel detaches and frees the program */
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "gen"))
		return gen(atol(argv[2]), argc > 3 ? atof(argv[3]) : 0);
	if (argc == 3 && !strcmp(argv[1], "hold"))
		return hold(argv[2]);
	fprintf(stderr, "usage: flood gen N [RATE] | flood hold INSNS\n");
	return 2;
}
