/* The seed: Learning eBPF chapter 2's Hello World. rawbpf attaches it to the execve syscall's
 * kernel function (a kprobe), or to the sys_enter_execve tracepoint where there are no kprobes. */
#include "rawbpf.bpf.h"

SEC("ksyscall/execve")
int hello(void *ctx)
{
	printk("Hello World!");
	return 0;
}

LICENSE("GPL");
