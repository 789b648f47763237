/* The flood of `make bench`'s throughput section: one trace line per system call numbered
 * FLOOD_NR, a number no system call has (the call fails with ENOSYS after the sys_enter raw
 * tracepoint has fired), so tools/bench/flood.c alone decides how many lines there are. No maps
 * and no global data: the program's instructions load as they are, by rawbpf from this object
 * and by `flood hold` from the bare section. */
#include "rawbpf.bpf.h"
#include "flood.h"

SEC("raw_tp/sys_enter")
int flood(struct bpf_raw_tracepoint_args *ctx)
{
	if (ctx->args[1] != FLOOD_NR)
		return 0;
	printk("flood");
	return 0;
}

LICENSE("GPL");
