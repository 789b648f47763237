/* Test object: kprobes on a kernel function that is not a syscall (no tracepoint stands in). */
#include "rawbpf.bpf.h"

SEC("kprobe/do_nanosleep")
int on_nanosleep(void *ctx)
{
	printk("nanosleep");
	return 0;
}

LICENSE("GPL");
