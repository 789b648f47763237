/* One CO-RE relocation of every kind libbpf applies, each stored to a global so clang keeps it.
 * core.bats compares what rawbpf resolves each to with what bpftool shows of this kernel's BTF. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct sched_entity {
	unsigned long long vruntime;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
	char comm[16];
	unsigned int in_execve: 1;
	struct sched_entity se;
} __attribute__((preserve_access_index));

struct list_head {
	struct list_head *next, *prev;
} __attribute__((preserve_access_index));

enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_PGID, PIDTYPE_SID, PIDTYPE_MAX };

struct no_such_type {
	int x;
};

unsigned long long out[16];

SEC("tp/syscalls/sys_enter_execve")
int core_kinds(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	out[0] = bpf_core_field_offset(struct task_struct, tgid);
	out[1] = bpf_core_field_size(struct task_struct, comm);
	out[2] = bpf_core_field_exists(struct task_struct, pid);
	out[3] = __builtin_preserve_field_info(t->pid, BPF_FIELD_SIGNED);
	out[4] = __builtin_preserve_field_info(t->in_execve, BPF_FIELD_LSHIFT_U64);
	out[5] = __builtin_preserve_field_info(t->in_execve, BPF_FIELD_RSHIFT_U64);
	out[6] = bpf_core_type_id_local(struct task_struct);
	out[7] = bpf_core_type_id_kernel(struct task_struct);
	out[8] = bpf_core_type_exists(struct task_struct);
	out[9] = bpf_core_type_size(struct task_struct);
	out[10] = bpf_core_enum_value_exists(enum pid_type, PIDTYPE_SID);
	out[11] = bpf_core_enum_value(enum pid_type, PIDTYPE_SID);
	/* (type_matches needs clang 15: test/core_match.bpf.c, built with clang-16) */
	out[12] = bpf_core_type_size(struct list_head);
	out[13] = bpf_core_type_exists(struct no_such_type);
	out[14] = bpf_core_field_offset(struct task_struct, se.vruntime);
	out[15] = bpf_core_field_offset(struct task_struct, comm[3]);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
