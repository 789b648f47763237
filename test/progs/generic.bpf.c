/* Test object for the generic output of objects rawbpf has never seen: a hash map with a struct
 * value (printed through BTF, no format given), a per-CPU array, and a perf buffer whose record
 * type is not named (printed as hex). */
#include "rawbpf.bpf.h"

struct stats {
	__u64 count;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct stats);
} by_pid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} total SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} raw SEC(".maps");

SEC("tp/syscalls/sys_enter_execve")
int generic(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32, zero = 0;
	struct stats s = {}, *old = bpf_map_lookup_elem(&by_pid, &pid);
	if (old)
		s.count = old->count;
	s.count++;
	bpf_get_current_comm(s.comm, sizeof(s.comm));
	bpf_map_update_elem(&by_pid, &pid, &s, BPF_ANY);
	__u64 *t = bpf_map_lookup_elem(&total, &zero);
	if (t)
		(*t)++;
	__u32 marker = 0xfeedbeef;
	bpf_perf_event_output(ctx, &raw, BPF_F_CURRENT_CPU, &marker, sizeof(marker));
	return 0;
}

LICENSE("GPL");
