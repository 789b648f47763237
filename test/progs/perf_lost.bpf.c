/* Test object for lost perf buffer records: one call of system call number 20777 (none has it: it
 * fails with ENOSYS after sys_enter saw it) makes 256 records of 1 KiB on this CPU in one go, 8
 * times what rawbpf's perf buffer of 32 KiB holds, so the kernel must drop most of them. */
#include "rawbpf.bpf.h"

struct big {
	__u32 seq;
	char pad[1020];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, 4);
	__uint(value_size, 4);
} out SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct big);
} heap SEC(".maps");

RAWBPF_RECORD(out, struct big);

SEC("raw_tp/sys_enter")
int flood(__u64 *ctx)
{
	__u32 zero = 0;
	if (ctx[1] != 20777)
		return 0;
	struct big *r = bpf_map_lookup_elem(&heap, &zero);
	if (!r)
		return 0;
	for (__u32 i = 0; i < 256; i++) {
		r->seq = i;
		bpf_perf_event_output(ctx, &out, 0xffffffffULL /* BPF_F_CURRENT_CPU */, r, sizeof *r);
	}
	return 0;
}

LICENSE("GPL");
