/* Test object with a map in the legacy "maps" section (struct bpf_map_def), as old samples and
 * BCC-era objects define them: an array counting execve calls in slot 0. */
#include "rawbpf.bpf.h"

struct bpf_map_def {
	unsigned int type, key_size, value_size, max_entries, map_flags;
};

struct bpf_map_def SEC("maps") execs = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 4,
};

SEC("tp/syscalls/sys_enter_execve")
int count_execs(void *ctx)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&execs, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

LICENSE("GPL");
