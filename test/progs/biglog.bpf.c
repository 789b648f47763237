/* Test object the verifier rejects after a long walk: a bounded loop of 40000 rounds is
 * verified round by round, so its log (level 1) needs the biggest buffer rawbpf offers. */
#include "rawbpf.bpf.h"

SEC("tp/syscalls/sys_enter_execve")
int big_log(void *ctx)
{
	long x = 1;
	for (int i = 0; i < 40000; i++)
		__asm__ volatile("%0 += 3" : "+r"(x));
	long addr;
	__asm__ volatile("%0 = 12345" : "=r"(addr)); /* a scalar, not a pointer */
	return *(int *)addr + (int)x;
}

LICENSE("GPL");
