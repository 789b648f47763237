/* CO-RE against a module's type: struct bpf_ct_opts is nf_conntrack's (the options of its
 * kfuncs, 5.18 on), in its split BTF /sys/kernel/btf/nf_conntrack and not in vmlinux's. Declared
 * here in another order than the kernel's, so the offsets read are the module's. Loads anywhere:
 * where the type is missing (no module loaded, no module BTF, before 5.18) the reads are guarded.
 * The QEMU matrix loads nf_conntrack and compares with bpftool (check_core_module). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct bpf_ct_opts {
	char l4proto;
	int error;
} __attribute__((preserve_access_index));

unsigned long long out[4];

SEC("tp/syscalls/sys_enter_execve")
int core_mod(void *ctx)
{
	out[0] = bpf_core_type_exists(struct bpf_ct_opts);
	if (bpf_core_type_exists(struct bpf_ct_opts)) {
		out[1] = bpf_core_field_offset(struct bpf_ct_opts, l4proto);
		out[2] = bpf_core_field_offset(struct bpf_ct_opts, error);
		out[3] = bpf_core_type_size(struct bpf_ct_opts);
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
