/* Typed system-call wrappers: each returns the kernel's result, or -errno. Only the runtime and
 * the kernel layer include this; nothing here knows about BPF objects. */
#ifndef RAWBPF_SYS_H
#define RAWBPF_SYS_H
#include <stddef.h>
#include <stdint.h>
#include <asm/unistd.h>
#include <linux/fcntl.h>
#include <linux/poll.h>
#include <linux/stat.h>
#include <linux/time_types.h>
#include "arch.h"

#define SYS6(n, a, b, c, d, e, f)                                                                  \
	arch_syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

static inline long sys_read(int fd, void *b, size_t n) { return SYS6(__NR_read, fd, b, n, 0, 0, 0); }
static inline long sys_write(int fd, const void *b, size_t n) { return SYS6(__NR_write, fd, b, n, 0, 0, 0); }
static inline int sys_openat(int dir, const char *p, int fl, int mode) { return SYS6(__NR_openat, dir, p, fl, mode, 0, 0); }
static inline long sys_getdents64(int fd, void *b, size_t n) { return SYS6(__NR_getdents64, fd, b, n, 0, 0, 0); }
static inline int sys_close(int fd) { return SYS6(__NR_close, fd, 0, 0, 0, 0, 0); }
static inline long sys_readlinkat(int dir, const char *p, char *b, size_t n) { return SYS6(__NR_readlinkat, dir, p, b, n, 0, 0); }
static inline int sys_statx(int dir, const char *p, int fl, unsigned mask, struct statx *st)
{ return SYS6(__NR_statx, dir, p, fl, mask, st, 0); }
static inline void *sys_mmap(void *a, size_t n, int prot, int fl, int fd, long off)
{ return (void *)SYS6(__NR_mmap, a, n, prot, fl, fd, off); }
static inline int sys_munmap(void *a, size_t n) { return SYS6(__NR_munmap, a, n, 0, 0, 0, 0); }
static inline int sys_ioctl(int fd, unsigned long req, long arg) { return SYS6(__NR_ioctl, fd, req, arg, 0, 0, 0); }
static inline int sys_bpf(int cmd, void *attr, unsigned size) { return SYS6(__NR_bpf, cmd, attr, size, 0, 0, 0); }
static inline int sys_perf_event_open(void *attr, int pid, int cpu, int group, unsigned long fl)
{ return SYS6(__NR_perf_event_open, attr, pid, cpu, group, fl, 0); }
static inline int sys_statfs(const char *p, void *buf) { return SYS6(__NR_statfs, p, buf, 0, 0, 0, 0); }
static inline int sys_mount(const char *src, const char *dst, const char *type, unsigned long fl, const void *data)
{ return SYS6(__NR_mount, src, dst, type, fl, data, 0); }
static inline int sys_umount2(const char *p, int fl) { return SYS6(__NR_umount2, p, fl, 0, 0, 0, 0); }
static inline int sys_rt_sigprocmask(int how, const uint64_t *set, uint64_t *old)
{ return SYS6(__NR_rt_sigprocmask, how, set, old, 8, 0, 0); }
/* act/old: the kernel's struct sigaction (handler, flags, restorer, mask). */
static inline int sys_rt_sigaction(int sig, const void *act, void *old)
{ return SYS6(__NR_rt_sigaction, sig, act, old, 8, 0, 0); }
static inline int sys_signalfd4(int fd, const uint64_t *mask, int fl) { return SYS6(__NR_signalfd4, fd, mask, 8, fl, 0, 0); }
static inline int sys_ppoll(struct pollfd *f, unsigned n, const struct __kernel_timespec *t)
{ return SYS6(__NR_ppoll, f, n, t, 0, 8, 0); }
static inline int sys_clock_gettime(int clk, struct __kernel_timespec *t) { return SYS6(__NR_clock_gettime, clk, t, 0, 0, 0, 0); }
static inline int sys_getpid(void) { return SYS6(__NR_getpid, 0, 0, 0, 0, 0, 0); }
static inline int sys_kill(int pid, int sig) { return SYS6(__NR_kill, pid, sig, 0, 0, 0, 0); }
static inline int sys_prlimit64(int pid, int res, const void *nw, void *old)
{ return SYS6(__NR_prlimit64, pid, res, nw, old, 0, 0); }
static inline int sys_reboot(unsigned cmd)
{ return SYS6(__NR_reboot, 0xfee1dead /* LINUX_REBOOT_MAGIC1 */, 672274793 /* MAGIC2 */, cmd, 0, 0, 0); }
static inline int sys_sync(void) { return SYS6(__NR_sync, 0, 0, 0, 0, 0, 0); }
static inline int sys_uname(void *u) { return SYS6(__NR_uname, u, 0, 0, 0, 0, 0); }
static inline int sys_mkdirat(int dir, const char *p, int mode) { return SYS6(__NR_mkdirat, dir, p, mode, 0, 0, 0); }
static inline _Noreturn void sys_exit_group(int code)
{
	for (;;)
		SYS6(__NR_exit_group, code, 0, 0, 0, 0, 0);
}
#endif
