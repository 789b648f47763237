/* Test object for output longer than a line buffer: a hash map of 1500 entries (one line of
 * about 20 KiB when printed) and ring buffer records of 3000 and 12000 bytes with no record
 * type (printed as hex: 6 and 24 KiB). */
#include "rawbpf.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 2048);
	__type(key, __u32);
	__type(value, __u32);
} many SEC(".maps");

struct big {
	unsigned char b[12000];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct big);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} out SEC(".maps");

SEC("tp/syscalls/sys_enter_execve")
int bigout(void *ctx)
{
	__u32 zero = 0;
	/* the counter stays in a register (the key is a copy): older verifiers lose a counter kept
	 * on the stack across the helper call, and refuse the loop as infinite */
	for (__u32 i = 0; i < 1500; i++) {
		__u32 k = i, v = i * 7;
		bpf_map_update_elem(&many, &k, &v, BPF_ANY);
	}
	struct big *s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;
	s->b[0] = 0xab;
	s->b[2999] = 0xcd;
	s->b[11999] = 0xef;
	bpf_ringbuf_output(&out, s, 3000, 0);
	bpf_ringbuf_output(&out, s, 12000, 0);
	return 0;
}

LICENSE("GPL");
