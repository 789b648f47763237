/* prog/hello.bpf.c on the sys_enter_execve tracepoint: what the libbpf row of `make bench`
 * loads on a kernel without kprobes, where rawbpf takes the same tracepoint. */
#include "rawbpf.bpf.h"

SEC("tracepoint/syscalls/sys_enter_execve")
int hello(void *ctx)
{
	printk("Hello World!");
	return 0;
}

LICENSE("GPL");
