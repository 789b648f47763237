/* The CO-RE benchmark's object: 30 relocations over task_struct, mm_struct, cred and
 * signal_struct, as a tracing tool reading a task's identity and accounting would have. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

typedef struct { unsigned int val; } kuid_t;
typedef struct { unsigned int val; } kgid_t;
struct cred { kuid_t uid, euid, suid, fsuid; kgid_t gid, egid; } __attribute__((preserve_access_index));
struct mm_struct {
	unsigned long hiwater_vm, total_vm, locked_vm, data_vm, exec_vm, stack_vm;
	unsigned long start_code, end_code, start_data, end_data, start_brk, brk, start_stack, arg_start;
} __attribute__((preserve_access_index));
struct signal_struct { int nr_threads; } __attribute__((preserve_access_index));
struct task_struct {
	int pid, tgid, prio, static_prio, normal_prio, exit_code, exit_signal;
	unsigned int policy, flags;
	unsigned long nvcsw, nivcsw;
	unsigned long long utime, stime, start_time;
	struct task_struct *real_parent;
	struct mm_struct *mm;
	const struct cred *cred;
	struct signal_struct *signal;
} __attribute__((preserve_access_index));

#define R(f...) (sum += (unsigned long)BPF_CORE_READ(t, f))
SEC("tp/syscalls/sys_enter_execve")
int core_bench(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	unsigned long sum = 0;
	R(pid), R(tgid), R(prio), R(static_prio), R(normal_prio), R(exit_code), R(exit_signal), R(policy);
	R(flags), R(nvcsw), R(nivcsw), R(utime), R(stime), R(start_time), R(real_parent, tgid);
	R(mm, total_vm), R(mm, locked_vm), R(mm, hiwater_vm), R(mm, data_vm), R(mm, exec_vm), R(mm, stack_vm);
	R(mm, start_code), R(mm, end_code), R(mm, arg_start), R(cred, uid.val), R(cred, euid.val);
	R(cred, gid.val), R(signal, nr_threads);
	bpf_printk("core_bench %lu", sum);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
