/* Test object: two programs in one object, a tracepoint and a syscall entry, both attached. */
#include "rawbpf.bpf.h"

SEC("tracepoint/syscalls/sys_enter_execve")
int tp_execve(void *ctx)
{
	printk("tp saw execve");
	return 0;
}

SEC("ksyscall/execve")
int ks_execve(void *ctx)
{
	printk("ksyscall saw execve");
	return 0;
}

SEC("?tp/syscalls/sys_enter_execve")
int not_loaded(void *ctx)
{
	printk("must not appear");
	return 0;
}

LICENSE("Dual BSD/GPL");
