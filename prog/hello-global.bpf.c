/* Learning eBPF chapter 3's global data (the book attaches it to XDP; here it is on execve like
 * hello): a counter in .bss, the format in .rodata, the step in .data. rawbpf turns each section
 * into an array map and points the instructions at it. Prints "Hello World N", N increasing. */
#include "rawbpf.bpf.h"

int counter;                                   /* .bss */
int step = 1;                                  /* .data */
static const char fmt[] = "Hello World %d";    /* .rodata: read-only, frozen */

SEC("ksyscall/execve")
int hello(void *ctx)
{
	bpf_trace_printk(fmt, sizeof(fmt), counter);
	counter += step;
	return 0;
}

LICENSE("GPL");
