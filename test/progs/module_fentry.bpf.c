/* Test object for a BTF-typed program on a module's function: fentry on binfmt_misc's
 * load_misc_binary, which exec calls for a file no earlier binary format took (a file of junk
 * marked executable). Its BTF id is in the module's split BTF, loaded with attach_btf_obj_fd. */
#include "rawbpf.bpf.h"

SEC("fentry/load_misc_binary")
int misc_load(void *ctx)
{
	printk("module fentry %d", (int)(bpf_get_current_pid_tgid() >> 32));
	return 0;
}

LICENSE("GPL");
