/* Test object the verifier must reject: it dereferences a value the verifier cannot trust. */
#include "rawbpf.bpf.h"

SEC("tp/syscalls/sys_enter_execve")
int bad_deref(void *ctx)
{
	long addr;
	__asm__ volatile("%0 = 12345" : "=r"(addr)); /* a scalar, not a pointer */
	return *(int *)addr;
}

LICENSE("GPL");
