/* Test object with a non-GPL license calling the GPL-only bpf_trace_printk. */
#include "rawbpf.bpf.h"

SEC("tp/syscalls/sys_enter_execve")
int proprietary(void *ctx)
{
	printk("not allowed");
	return 0;
}

LICENSE("Proprietary");
