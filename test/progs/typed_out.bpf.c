/* Test object for typed output of objects rawbpf did not write: ring buffer records whose type
 * only --record names (a struct with an array and a char array, sent whole and cut short), and
 * a log2 histogram in libbpf-tools' shape fed with known values: syscall number 20000 + v (no
 * such system call: it fails with ENOSYS after sys_enter saw it) counts v in slot log2(v). */
#include "rawbpf.bpf.h"

struct rec {
	__u32 pid;
	__u32 vals[3];
	char comm[16];
};

struct hist {
	__u32 slots[12];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 65536);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rec);
} heap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hist);
} hist SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int rec_execve(void *ctx)
{
	__u32 zero = 0;
	struct rec *r = bpf_map_lookup_elem(&heap, &zero);
	if (!r)
		return 0;
	r->pid = bpf_get_current_pid_tgid() >> 32;
	r->vals[0] = 1, r->vals[1] = 2, r->vals[2] = 3;
	bpf_get_current_comm(r->comm, sizeof r->comm);
	bpf_ringbuf_output(&events, r, sizeof *r, 0);
	bpf_ringbuf_output(&events, r, __builtin_offsetof(struct rec, comm) + 4, 0); /* a short one */
	return 0;
}

SEC("raw_tp/sys_enter")
int hist_enter(__u64 *ctx)
{
	__u64 id = ctx[1], v = id - 20000;
	__u32 zero = 0, slot = 0;
	if (id < 20000 || v >= 4096)
		return 0;
#pragma unroll
	for (int i = 1; i < 12; i++)
		if (v >> i)
			slot = i;
	struct hist *h = bpf_map_lookup_elem(&hist, &zero);
	if (h)
		__sync_fetch_and_add(&h->slots[slot < 12 ? slot : 0], 1);
	return 0;
}

LICENSE("GPL");
