/* Learning eBPF chapter 2, hello-buffer: one record per execve through a perf event array,
 * printed by rawbpf as "<pid> <uid> <command> <message>". */
#include "hello_data.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} output SEC(".maps");

RAWBPF_RECORD(output, struct data_t);
RAWBPF_FORMAT(output, "{pid} {uid} {command} {message}");

SEC("ksyscall/execve")
int hello(void *ctx)
{
	struct data_t data = {};
	fill_data(&data);
	bpf_perf_event_output(ctx, &output, BPF_F_CURRENT_CPU, &data, sizeof(data));
	return 0;
}

LICENSE("GPL");
