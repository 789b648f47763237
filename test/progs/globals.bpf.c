/* Test object with a relocation in code (a global variable): the base of the relocation cases
 * in the broken-object corpus. */
#include "rawbpf.bpf.h"

int counter;

SEC("tp/syscalls/sys_enter_execve")
int count(void *ctx)
{
	counter++;
	return 0;
}

LICENSE("GPL");
