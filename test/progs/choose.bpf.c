/* Test object for --prog, --skip and --keep-going: two programs on execve that work, one the
 * verifier refuses, one in a '?' section that --prog can turn on. */
#include "rawbpf.bpf.h"

SEC("tracepoint/syscalls/sys_enter_execve")
int pick_a(void *ctx)
{
	printk("pick a");
	return 0;
}

SEC("tp/syscalls/sys_enter_execve")
int pick_b(void *ctx)
{
	printk("pick b");
	return 0;
}

SEC("tp/syscalls/sys_enter_execve")
int pick_bad(void *ctx)
{
	long addr;
	__asm__ volatile("%0 = 12345" : "=r"(addr)); /* a scalar, not a pointer: refused */
	return *(int *)addr;
}

SEC("?tp/syscalls/sys_enter_execve")
int pick_opt(void *ctx)
{
	printk("pick opt");
	return 0;
}

LICENSE("GPL");
