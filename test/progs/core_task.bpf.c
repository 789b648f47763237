/* A CO-RE object written the usual way: kernel structs declared with preserve_access_index
 * (only the fields used), read with libbpf's BPF_CORE_READ() and friends. Every value printed
 * depends on the running kernel's layout; the test knows what each must be (core.bats). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
	char comm[16];
	unsigned int __state;             /* 5.14 and later */
	unsigned int in_execve: 1;        /* a bitfield: set while the kernel runs an execve */
} __attribute__((preserve_access_index));

struct task_struct___old {             /* before 5.14: "state", a long */
	long state;
} __attribute__((preserve_access_index));

/* The task state, under its name on this kernel. */
static __always_inline long task_state(struct task_struct *t, int *renamed)
{
	*renamed = bpf_core_field_exists(t->__state);
	if (*renamed)
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___old *)t, state);
}

SEC("tp/syscalls/sys_enter_execve")
int core_enter(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	int tgid = BPF_CORE_READ(t, tgid), renamed;
	char comm[16];
	bpf_probe_read_kernel_str(comm, sizeof comm, &t->comm);
	bpf_printk("core1 %d %d %d", tgid, BPF_CORE_READ(t, pid), BPF_CORE_READ(t, real_parent, tgid));
	bpf_printk("core2 %d %s", tgid, comm);
	long st = task_state(BPF_CORE_READ(t, real_parent), &renamed);
	bpf_printk("core3 %d %ld %d", tgid, st, renamed);
	bpf_printk("core4 %d %d", tgid, (int)BPF_CORE_READ_BITFIELD_PROBED(t, in_execve));
	return 0;
}

/* Inside the execve: the bitfield reads 1 here. */
SEC("tp/sched/sched_process_exec")
int core_exec(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	bpf_printk("core5 %d %d", BPF_CORE_READ(t, tgid), (int)BPF_CORE_READ_BITFIELD_PROBED(t, in_execve));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
