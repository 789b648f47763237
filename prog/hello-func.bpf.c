/* Learning eBPF chapter 3, hello-func: a BPF-to-BPF call. get_opcode() is kept out of line, so
 * the program calls it, and rawbpf links it into the program. Prints every syscall's number. */
#include "rawbpf.bpf.h"

static __noinline int get_opcode(struct bpf_raw_tracepoint_args *ctx)
{
	return ctx->args[1];
}

SEC("raw_tp/sys_enter")
int hello(struct bpf_raw_tracepoint_args *ctx)
{
	int opcode = get_opcode(ctx);
	printk("Syscall: %d", opcode);
	return 0;
}

LICENSE("GPL");
