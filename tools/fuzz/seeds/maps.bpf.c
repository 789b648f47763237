/* Fuzzing seed, never loaded: an object with what the built programs lack, so the fuzzer starts
 * inside the map, BTF and relocation code: BTF-defined maps of several kinds (one with initial
 * prog array values), global data (.rodata, .data, .bss), map value references and
 * BPF-to-BPF calls. Self-contained: the map macros are libbpf's, defined here. */
#include <linux/types.h>
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]

static void *(*const bpf_map_lookup_elem)(void *map, const void *key) = (void *)BPF_FUNC_map_lookup_elem;
static long (*const bpf_map_update_elem)(void *map, const void *key, const void *value,
					 __u64 flags) = (void *)BPF_FUNC_map_update_elem;
static long (*const bpf_tail_call)(void *ctx, void *map, __u32 index) = (void *)BPF_FUNC_tail_call;
static long (*const bpf_ringbuf_output)(void *rb, void *data, __u64 size, __u64 flags) =
	(void *)BPF_FUNC_ringbuf_output;
static long (*const bpf_perf_event_output)(void *ctx, void *map, __u64 flags, void *data, __u64 size) =
	(void *)BPF_FUNC_perf_event_output;

struct event { __u32 pid; char comm[16]; __u64 ts; };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct event);
} events_by_pid SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u64));
	__uint(map_flags, 0);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} perf SEC(".maps");

const volatile __u32 filter_pid = 0;
__u64 seen = 1;
__u64 dropped;
char last_comm[16];

static __attribute__((noinline)) int bump(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &slot);
	if (v)
		__sync_fetch_and_add(v, 1);
	return v ? 0 : 1;
}

__attribute__((noinline)) int record(void *ctx, __u32 pid)
{
	struct event e = {.pid = pid, .ts = seen};
	if (filter_pid && pid != filter_pid)
		return 0;
	bpf_map_update_elem(&events_by_pid, &pid, &e, BPF_ANY);
	if (bpf_ringbuf_output(&ring, &e, sizeof e, 0))
		dropped++;
	bpf_perf_event_output(ctx, &perf, BPF_F_CURRENT_CPU, &e, sizeof e);
	last_comm[0] = 'x';
	return bump(1);
}

SEC("tp/sched/sched_process_exec")
int on_exec(void *ctx)
{
	seen++;
	return record(ctx, 1) + bump(0);
}

SEC("raw_tp/sys_enter")
int tail_target(void *ctx)
{
	return bump(2);
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, int(void *));
} jumps SEC(".maps") = {
	.values = {[1] = (void *)&tail_target},
};

SEC("raw_tp/sys_exit")
int jumper(void *ctx)
{
	bpf_tail_call(ctx, &jumps, 1);
	return record(ctx, 2);
}

char _license[] SEC("license") = "GPL";
