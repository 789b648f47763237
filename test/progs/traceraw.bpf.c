/* test/run.bats and the guest check trace_raw: lines of two lengths, one per read and write
 * system call of a process named dd: a long one (its record gives its length in a word of its
 * own, as records over 112 bytes do) for read, a short one for write. */
#include "rawbpf.bpf.h"
#include <asm/unistd.h>

SEC("raw_tp/sys_enter")
int traceraw(struct bpf_raw_tracepoint_args *ctx)
{
	static __u32 n; /* a counter, so that consecutive lines differ */
	char comm[16];
	bpf_get_current_comm(comm, sizeof comm);
	if (comm[0] != 'd' || comm[1] != 'd' || comm[2])
		return 0;
	if (ctx->args[1] == __NR_read)
		printk("read %u: a line longer than the 112 bytes a ring-buffer record header can give its length in, "
		       "so this one takes the other form", n++);
	else if (ctx->args[1] == __NR_write)
		printk("write %u", n++);
	return 0;
}

LICENSE("GPL");
