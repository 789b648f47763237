/* CO-RE relocations in a subprogram that two programs call: each program gets its own copy of
 * it, relocated (the relocations follow the function into every program that links it). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int tgid;
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

static __attribute__((noinline)) int parent_tgid(struct task_struct *t)
{
	return BPF_CORE_READ(t, real_parent, tgid);
}

SEC("tp/syscalls/sys_enter_execve")
int sub_enter(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	bpf_printk("sub_enter %d %d", BPF_CORE_READ(t, tgid), parent_tgid(t));
	return 0;
}

SEC("tp/sched/sched_process_exec")
int sub_exec(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	bpf_printk("sub_exec %d %d", BPF_CORE_READ(t, tgid), parent_tgid(t));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
