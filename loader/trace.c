/* trace_pipe reader: read() hands out whole lines, at most a page of them; we pass them through
 * unchanged (the format differs between kernels, and users compare it with BCC's). */
#include "trace.h"
#include "io.h"
#include "kernel.h"

/* A page. Kernels since 6.8 could hand out 8 KiB per read, but a flood then loses more lines
 * (make bench, throughput: about 280,000 of 1,000,000 delivered against 450,000). */
char trace_buf[4096];
#define buf trace_buf
void (*trace_sink)(const char *buf, size_t n);
/* trace_pipe_raw's tracefs; used once trace_pipe is busy (half a page of lines at one wakeup).
 * The default job's line an exec never pays for its set-up (its files, a page per CPU). */
static const struct tracefs *raw;
static int raw_state; /* 0: trace_pipe; 1: busy, switch at the next short read; 2: raw */

void trace_use_raw(const struct tracefs *t)
{
	raw = t;
}

void trace_discard_old(int fd)
{
	u64 total = 0;
	long n;
	/* Bounded, in case something writes lines as fast as we read them. */
	while (total < (64u << 20) && ((n = kern_read_fd(fd, buf, sizeof buf, KREAD_TRACE, "trace_pipe")) > 0 || n == -EINTR))
		total += n > 0 ? (u64)n : 0;
	explain("read(trace_pipe) until EAGAIN: %llu bytes discarded  -- lines earlier runs left unread",
		(unsigned long long)total);
}

long trace_copy(int fd, unsigned max_reads, u64 limit)
{
	u64 total = 0;
	long n = 0;
	int r = rb_flush(); /* what rawbpf itself wrote to stdout goes first */
	if (r < 0)
		return r;
	while (max_reads-- && total < limit) {
		if (raw_state == 2) {
			long c = traceraw_copy(raw, max_reads + 1, limit - total);
			if (c != TRACE_RAW_OFF)
				return c < 0 ? c : (long)(total + (u64)c);
			raw = NULL, raw_state = 0;
		}
		/* A page less a byte, what a read takes on every kernel (before 6.8 at most
		 * PAGE_SIZE - 1): a shorter read leaves nothing formatted in the kernel's buffer. */
		n = kern_read_fd(fd, buf, sizeof buf - 1, KREAD_TRACE, "trace_pipe");
		if (n == -EINTR)
			continue;
		if (n <= 0)
			break;
		total += (u64)n;
		long w = trace_sink ? (trace_sink(buf, (size_t)n), rb_flush()) : rb_write_all(1, buf, (size_t)n);
		if (w < 0)
			return w;
		/* Busy: a wakeup found half a page or more. The switch waits for a short read: after
		 * one, no line the kernel has formatted is left in it, not handed out. */
		if (raw && n >= (long)sizeof buf / 2)
			raw_state |= 1;
		if (raw_state == 1 && n < (long)sizeof buf - 1) {
			raw_state = 2;
			explain("trace_pipe is busy (%ld bytes at a wakeup): reading trace_pipe_raw from here on", n);
		}
	}
	return n < 0 && n != -EAGAIN && n != -EINTR ? n : (long)total;
}

void trace_close(int fd)
{
	traceraw_close();
	kern_close(fd, "trace_pipe");
}

int trace_flush(int fd)
{
	long n = trace_copy(fd, ~0u, 4u << 20);
	if (n >= 0)
		explain("read until EAGAIN: %ld bytes copied  -- what the programs wrote before they were detached", n);
	return n < 0 ? (int)n : 0;
}
