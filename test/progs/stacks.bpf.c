/* Test object for stacks as kernel symbols: at each exec (tp_btf/sched_process_exec) the kernel
 * stack goes into a stack trace map (value: u64 addresses, no BTF, as libbpf tools declare it)
 * and, with the stack id, the pid and the user stack, into a ring buffer record whose members
 * kstack and ustack are arrays of u64 (printed as symbols and as hex by their names). */
#include "rawbpf.bpf.h"

static long (*const get_stackid)(void *ctx, void *map, __u64 flags) = (void *)BPF_FUNC_get_stackid;
static long (*const get_stack)(void *ctx, void *buf, __u32 size, __u64 flags) = (void *)BPF_FUNC_get_stack;

#define DEPTH 16

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, 4);
	__uint(value_size, DEPTH * 8);
	__uint(max_entries, 256);
} stacks SEC(".maps");

struct srec {
	__u32 pid;
	__s32 stack_id;
	__u64 kstack[DEPTH];
	__u64 ustack[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 65536);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct srec);
} heap SEC(".maps");

RAWBPF_RECORD(events, struct srec);

SEC("tp_btf/sched_process_exec")
int exec_stack(__u64 *ctx)
{
	__u32 zero = 0;
	struct srec *r = bpf_map_lookup_elem(&heap, &zero);
	if (!r)
		return 0;
	r->pid = bpf_get_current_pid_tgid() >> 32;
	r->stack_id = get_stackid(ctx, &stacks, 0);
	__builtin_memset(r->kstack, 0, sizeof r->kstack);
	__builtin_memset(r->ustack, 0, sizeof r->ustack);
	get_stack(ctx, r->kstack, sizeof r->kstack, 0);
	get_stack(ctx, r->ustack, sizeof r->ustack, BPF_F_USER_STACK);
	bpf_ringbuf_output(&events, r, sizeof *r, 0);
	return 0;
}

LICENSE("GPL");
