/* trace_pipe reader: read() hands out at most a page of whole lines; we pass them through
 * unchanged (the format differs between kernels, and users compare it with BCC's). */
#include "trace.h"
#include "io.h"
#include "kernel.h"
#include "sys.h"

#define EAGAIN 11
#define EINTR 4

static char buf[4096];

s64 now_ns(void)
{
	struct rb_timespec t;
	sys_clock_gettime(1 /* CLOCK_MONOTONIC */, &t);
	return t.sec * 1000000000LL + t.nsec;
}

void trace_discard_old(int fd)
{
	u64 total = 0;
	long n;
	/* Bounded, in case something writes lines as fast as we read them. */
	while (total < (64u << 20) && ((n = sys_read(fd, buf, sizeof buf)) > 0 || n == -EINTR))
		total += n > 0 ? (u64)n : 0;
	explain("read(trace_pipe) until EAGAIN: %llu bytes discarded  -- lines earlier runs left unread",
		(unsigned long long)total);
}

int trace_flush(int fd)
{
	u64 total = 0;
	long n;
	while (total < (4u << 20) && ((n = sys_read(fd, buf, sizeof buf)) > 0 || n == -EINTR)) {
		if (n < 0)
			continue;
		total += (u64)n;
		long w = rb_write_all(1, buf, (size_t)n);
		if (w < 0)
			return (int)w;
	}
	explain("read(trace_pipe) until EAGAIN: %llu bytes copied  -- what the programs wrote before they were "
		"detached", (unsigned long long)total);
	return 0;
}
