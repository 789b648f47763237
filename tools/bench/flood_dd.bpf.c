/* The sustained flood of `make bench`: one trace line per read or write system call of a process
 * named "dd" (`dd if=/dev/zero of=/dev/null bs=1 count=N status=none` makes N of each, plus the
 * few its start-up makes, counted by tools/bench/run). Like flood.bpf.c: no maps, no global
 * data, so `flood hold` loads the bare section too. */
#include "rawbpf.bpf.h"
#include <asm/unistd.h>

SEC("raw_tp/sys_enter")
int flood_dd(struct bpf_raw_tracepoint_args *ctx)
{
	char comm[16];
	if (ctx->args[1] != __NR_read && ctx->args[1] != __NR_write)
		return 0;
	bpf_get_current_comm(comm, sizeof comm);
	if (comm[0] != 'd' || comm[1] != 'd' || comm[2])
		return 0;
	printk("flood");
	return 0;
}

LICENSE("GPL");
