/* Learning eBPF chapter 2, hello-buffer: one record per execve through a perf event array,
 * printed by rawbpf as "<pid> <uid> <command> <message>". */
#include "rawbpf.bpf.h"

struct data_t {
	int pid;
	int uid;
	char command[16];
	char message[12];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} output SEC(".maps");

RAWBPF_RECORD(output, struct data_t);
RAWBPF_FORMAT(output, "{pid} {uid} {command} {message}");

/* A global, as in the book: it lives in .rodata, which rawbpf loads as a frozen array map. */
const char message[12] = "Hello World";

SEC("ksyscall/execve")
int hello(void *ctx)
{
	struct data_t data = {};
	data.pid = bpf_get_current_pid_tgid() >> 32;
	data.uid = bpf_get_current_uid_gid() & 0xFFFFFFFF;
	bpf_get_current_comm(&data.command, sizeof(data.command));
	bpf_probe_read_kernel(&data.message, sizeof(data.message), message);
	bpf_perf_event_output(ctx, &output, BPF_F_CURRENT_CPU, &data, sizeof(data));
	return 0;
}

LICENSE("GPL");
