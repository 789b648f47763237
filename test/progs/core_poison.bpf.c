/* CO-RE relocations this kernel cannot resolve: a field no kernel has. Read behind
 * bpf_core_field_exists() the program loads and runs; read unguarded it must be refused, with a
 * message naming the relocation (libbpf refuses it too). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___fake {
	int tgid;
	int no_such_field;
} __attribute__((preserve_access_index));

struct no_such_type {
	int x;
} __attribute__((preserve_access_index));

SEC("tp/syscalls/sys_enter_execve")
int guarded(void *ctx)
{
	struct task_struct___fake *t = (void *)bpf_get_current_task();
	int v = -1;
	if (bpf_core_field_exists(t->no_such_field))
		v = BPF_CORE_READ(t, no_such_field);
	bpf_printk("guarded %d %d %d", BPF_CORE_READ(t, tgid), v, bpf_core_type_exists(struct no_such_type));
	return 0;
}

SEC("tp/syscalls/sys_enter_execve")
int unguarded(void *ctx)
{
	struct task_struct___fake *t = (void *)bpf_get_current_task();
	bpf_printk("unguarded %d", BPF_CORE_READ(t, no_such_field));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
