/* Test object for the kprobe kinds beyond the default job: a kretprobe on a kernel function
 * and a return probe on a syscall found by name (kretsyscall/), run in the QEMU kernel matrix. */
#include "rawbpf.bpf.h"

SEC("kretprobe/do_nanosleep")
int nanosleep_ret(void *ctx)
{
	printk("kretprobe do_nanosleep returned");
	return 0;
}

SEC("kretsyscall/execve")
int execve_ret(void *ctx)
{
	printk("kretsyscall execve returned");
	return 0;
}

LICENSE("GPL");
