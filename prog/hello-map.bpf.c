/* Learning eBPF chapter 2, hello-map: counts execve calls per user id in a hash map, which
 * rawbpf prints every --interval (2 s) as the book's hello-map.py does: "ID 501: 5 ID 0: 2". */
#include "rawbpf.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, __u64);
} counter_table SEC(".maps");

RAWBPF_FORMAT(counter_table, "ID {key}: {value}\t");

SEC("ksyscall/execve")
int hello(void *ctx)
{
	__u64 uid = bpf_get_current_uid_gid() & 0xFFFFFFFF;
	__u64 counter = 0;
	__u64 *p = bpf_map_lookup_elem(&counter_table, &uid);
	if (p)
		counter = *p;
	counter++;
	bpf_map_update_elem(&counter_table, &uid, &counter, BPF_ANY);
	return 0;
}

LICENSE("GPL");
