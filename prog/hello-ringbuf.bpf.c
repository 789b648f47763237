/* hello-buffer through a BPF ring buffer (one buffer shared by all CPUs, kernel 5.8+). */
#include "rawbpf.bpf.h"

struct data_t {
	int pid;
	int uid;
	char command[16];
	char message[12];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} output SEC(".maps");

RAWBPF_RECORD(output, struct data_t);
RAWBPF_FORMAT(output, "{pid} {uid} {command} {message}");

const char message[12] = "Hello World";

SEC("ksyscall/execve")
int hello(void *ctx)
{
	struct data_t data = {};
	data.pid = bpf_get_current_pid_tgid() >> 32;
	data.uid = bpf_get_current_uid_gid() & 0xFFFFFFFF;
	bpf_get_current_comm(&data.command, sizeof(data.command));
	bpf_probe_read_kernel(&data.message, sizeof(data.message), message);
	bpf_ringbuf_output(&output, &data, sizeof(data), 0);
	return 0;
}

LICENSE("GPL");
