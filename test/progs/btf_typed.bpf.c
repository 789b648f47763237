/* Test object for BTF-typed programs and their alternatives: tp_btf reads the typed arguments of
 * sched_process_exec (old_pid: the pid of the process that exec'd), its tracepoint twin prints
 * the same from the tracefs record; fentry and fexit on the execve function with their kprobe and
 * kretprobe twins. run
 * attaches one of each pair. */
#include "rawbpf.bpf.h"

#if defined(__TARGET_ARCH_x86)
#define EXECVE_FN "__x64_sys_execve"
#else
#define EXECVE_FN "__arm64_sys_execve"
#endif

/* tp_btf: the arguments of trace_sched_process_exec(p, old_pid, bprm), each a u64. */
SEC("tp_btf/sched_process_exec")
int exec_btf(__u64 *ctx)
{
	printk("tp_btf exec %d", (int)ctx[1]);
	return 0;
}

/* The tracefs record: 8 bytes of common fields, __data_loc filename, pid, old_pid. */
SEC("tracepoint/sched/sched_process_exec")
int exec_tp(void *ctx)
{
	printk("tp exec %d", *(int *)((char *)ctx + 16));
	return 0;
}

SEC("fentry/" EXECVE_FN)
int execve_fentry(void *ctx)
{
	printk("fentry execve");
	return 0;
}

SEC("kprobe/" EXECVE_FN)
int execve_kprobe(void *ctx)
{
	printk("kprobe execve");
	return 0;
}

SEC("fexit/" EXECVE_FN)
int execve_fexit(void *ctx)
{
	printk("fexit execve");
	return 0;
}

SEC("kretprobe/" EXECVE_FN)
int execve_kretprobe(void *ctx)
{
	printk("kretprobe execve");
	return 0;
}

LICENSE("GPL");
