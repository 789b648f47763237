/* hello-buffer through a BPF ring buffer (one buffer shared by all CPUs, kernel 5.8+). */
#include "hello_data.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} output SEC(".maps");

RAWBPF_RECORD(output, struct data_t);
RAWBPF_FORMAT(output, "{pid} {uid} {command} {message}");

SEC("ksyscall/execve")
int hello(void *ctx)
{
	struct data_t data = {};
	fill_data(&data);
	bpf_ringbuf_output(&output, &data, sizeof(data), 0);
	return 0;
}

LICENSE("GPL");
