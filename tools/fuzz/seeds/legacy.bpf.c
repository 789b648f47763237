/* Fuzzing seed, never loaded: legacy map definitions (the "maps" section of struct
 * bpf_map_def records, as old samples/bpf objects have them), a kernel version section and
 * programs of the load-only kinds. */
#include <linux/types.h>
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))

struct bpf_map_def {
	unsigned int type, key_size, value_size, max_entries, map_flags;
};

static void *(*const bpf_map_lookup_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;

struct bpf_map_def SEC("maps") packets = {
	.type = BPF_MAP_TYPE_ARRAY, .key_size = sizeof(__u32), .value_size = sizeof(__u64), .max_entries = 2,
};
struct bpf_map_def SEC("maps") flows = {
	.type = BPF_MAP_TYPE_HASH, .key_size = 8, .value_size = 16, .max_entries = 64, .map_flags = 1,
};

SEC("xdp")
int count_xdp(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&packets, &k);
	if (v)
		(*v)++;
	return XDP_PASS;
}

SEC("socket")
int count_sock(void *ctx)
{
	__u64 k = 1;
	return bpf_map_lookup_elem(&flows, &k) ? 0 : 1;
}

SEC("kprobe/do_unlinkat")
int kp(void *ctx)
{
	__u32 k = 1;
	return bpf_map_lookup_elem(&packets, &k) != 0;
}

char _license[] SEC("license") = "Dual MIT/GPL";
__u32 _version SEC("version") = 0x050a00;
