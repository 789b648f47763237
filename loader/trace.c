/* trace_pipe reader: read() hands out at most a page of whole lines; we pass them through
 * unchanged (the format differs between kernels, and users compare it with BCC's). */
#include "trace.h"
#include "io.h"
#include "kernel.h"
#include "sys.h"
#include <linux/poll.h>

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
	if (total)
		explain("read(trace_pipe) discarded %llu bytes that earlier runs left unread",
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
	return 0;
}

int trace_copy(int fd, int sig_fd, s64 deadline_ns)
{
	struct rb_pollfd pfd[2] = {{fd, POLLIN, 0}, {sig_fd, POLLIN, 0}};
	for (;;) {
		struct rb_timespec ts, *tp = NULL;
		if (deadline_ns) {
			s64 left = deadline_ns - now_ns();
			if (left <= 0)
				return 0;
			ts.sec = left / 1000000000LL;
			ts.nsec = left % 1000000000LL;
			tp = &ts;
		}
		int r = sys_ppoll(pfd, 2, tp);
		if (r == -EINTR)
			continue;
		if (r < 0)
			return r;
		if (pfd[1].revents & POLLIN) {
			u32 si[32]; /* struct signalfd_siginfo: ssi_signo first */
			if (sys_read(sig_fd, si, sizeof si) == sizeof si)
				return (int)si[0];
		}
		if (pfd[0].revents & (POLLIN | POLLERR | POLLHUP)) {
			long n = sys_read(fd, buf, sizeof buf);
			if (n == -EAGAIN || n == -EINTR)
				continue;
			if (n < 0)
				return (int)n;
			long w = rb_write_all(1, buf, (size_t)n);
			if (w < 0)
				return (int)w;
		}
	}
}
