/* The floor for `make bench`: the smallest program that does the default job's attach, with no
 * parsing, no checks and no messages beyond the one that says it is attached. It makes only
 * the system calls the job needs: open trace_pipe, read the event's id (tracepoint) or the
 * kprobe PMU's type, BPF_PROG_LOAD, perf_event_open, PERF_EVENT_IOC_SET_BPF; then it copies
 * the trace pipe until a signal kills it.
 * usage: floor tp|kprobe   (tracefs must be mounted at /sys/kernel/tracing) */
#include "../../loader/sys.h"
#include <linux/bpf.h>
#include <linux/perf_event.h>

ARCH_START_ASM;

/* prog/hello.bpf.c as clang compiles it: "Hello World!" on the stack, bpf_trace_printk. */
static const struct bpf_insn hello[] = {
	{0xb7, 1, 0, 0, 0x21646c72},          /* r1 = "rld!" */
	{0x63, 10, 1, -8, 0},                 /* *(u32 *)(r10 - 8) = r1 */
	{0x18, 1, 0, 0, 0x6c6c6548},          /* r1 = "Hello Wo" (ld_imm64) */
	{0x00, 0, 0, 0, 0x6f57206f},
	{0x7b, 10, 1, -16, 0},                /* *(u64 *)(r10 - 16) = r1 */
	{0xb7, 1, 0, 0, 0},                   /* r1 = 0 */
	{0x73, 10, 1, -4, 0},                 /* *(u8 *)(r10 - 4) = r1 */
	{0xbf, 1, 10, 0, 0},                  /* r1 = r10 */
	{0x07, 1, 0, 0, -16},                 /* r1 += -16 */
	{0xb7, 2, 0, 0, 13},                  /* r2 = 13 */
	{0x85, 0, 0, 0, BPF_FUNC_trace_printk},
	{0xb7, 0, 0, 0, 0},                   /* r0 = 0 */
	{0x95, 0, 0, 0, 0},                   /* exit */
};

static long num(const char *path)
{
	char b[32];
	long v = 0;
	int fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	long n = sys_read(fd, b, sizeof b);
	sys_close(fd);
	for (long i = 0; i < n && b[i] >= '0' && b[i] <= '9'; i++)
		v = v * 10 + b[i] - '0';
	return v;
}

__attribute__((used)) void rb_start_c(long *sp)
{
	char **argv = (char **)(sp + 1), buf[4096];
	int kprobe = argv[1] && argv[1][0] == 'k';
	int pipe = sys_openat(AT_FDCWD, "/sys/kernel/tracing/trace_pipe", O_RDONLY | O_CLOEXEC, 0);
	union bpf_attr a;
	struct perf_event_attr pa;
	for (unsigned i = 0; i < sizeof a; i++)
		((char *)&a)[i] = 0;
	for (unsigned i = 0; i < sizeof pa; i++)
		((char *)&pa)[i] = 0;
	a.prog_type = kprobe ? BPF_PROG_TYPE_KPROBE : BPF_PROG_TYPE_TRACEPOINT;
	a.insns = (unsigned long)hello;
	a.insn_cnt = sizeof hello / sizeof hello[0];
	a.license = (unsigned long)"GPL";
	int prog = sys_bpf(BPF_PROG_LOAD, &a, sizeof a);
	pa.size = sizeof pa;
	pa.sample_period = 1;
	if (kprobe) {
		pa.type = (unsigned)num("/sys/bus/event_source/devices/kprobe/type");
		pa.kprobe_func = (unsigned long)ARCH_SYSCALL_PREFIX "execve";
	} else {
		pa.type = PERF_TYPE_TRACEPOINT;
		pa.config = (unsigned long)num("/sys/kernel/tracing/events/syscalls/sys_enter_execve/id");
	}
	int ev = sys_perf_event_open(&pa, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (prog < 0 || ev < 0 || sys_ioctl(ev, PERF_EVENT_IOC_SET_BPF, prog) < 0)
		sys_exit_group(1);
	sys_write(2, "attached\n", 9);
	for (;;) {
		long n = sys_read(pipe, buf, sizeof buf);
		if (n <= 0 || sys_write(1, buf, (unsigned long)n) < 0)
			sys_exit_group(0);
	}
}
