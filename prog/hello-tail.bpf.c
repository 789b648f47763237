/* Learning eBPF chapter 2, hello-tail: a raw tracepoint on every syscall entry tail-calls a
 * program chosen by syscall number from a program array. The slots are filled by rawbpf from
 * the map's initial values (libbpf's convention); the numbers are the target architecture's. */
#include "rawbpf.bpf.h"
#include "rawbpf_arch.bpf.h"

SEC("raw_tp")
int hello_exec(void *ctx)
{
	printk("Executing a program");
	return 0;
}

SEC("raw_tp")
int hello_timer(struct bpf_raw_tracepoint_args *ctx)
{
	int opcode = ctx->args[1];
	switch (opcode) {
	case RB_NR_timer_create:
		printk("Creating a timer");
		break;
	case RB_NR_timer_delete:
		printk("Deleting a timer");
		break;
	default:
		printk("Some other timer operation");
		break;
	}
	return 0;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 500);
	__type(key, __u32);
	__array(values, int(void *));
} syscall SEC(".maps") = {
	.values = {
		[RB_NR_execve] = (void *)&hello_exec,
		[RB_NR_timer_create] = (void *)&hello_timer,
		[RB_NR_timer_settime] = (void *)&hello_timer,
		[RB_NR_timer_gettime] = (void *)&hello_timer,
		[RB_NR_timer_getoverrun] = (void *)&hello_timer,
		[RB_NR_timer_delete] = (void *)&hello_timer,
	},
};

SEC("raw_tp/sys_enter")
int hello(struct bpf_raw_tracepoint_args *ctx)
{
	int opcode = ctx->args[1];
	bpf_tail_call(ctx, &syscall, opcode);
	/* Only reached when the slot is empty: the book printed "Another syscall" here, which
	 * floods the trace pipe; its repository's version ignores other syscalls, as we do. */
	return 0;
}

LICENSE("GPL");
