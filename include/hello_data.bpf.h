/* The record of hello-buffer and hello-ringbuf (Learning eBPF's struct data_t) and how both fill
 * it: the pid, uid and command of execve's caller, and the message from a global. */
#ifndef RAWBPF_HELLO_DATA_BPF_H
#define RAWBPF_HELLO_DATA_BPF_H
#include "rawbpf.bpf.h"

struct data_t {
	int pid;
	int uid;
	char command[16];
	char message[12];
};

/* A global, as in the book: it lives in .rodata, which rawbpf loads as a frozen array map. */
const char message[12] = "Hello World";

static __always_inline void fill_data(struct data_t *data)
{
	data->pid = bpf_get_current_pid_tgid() >> 32;
	data->uid = bpf_get_current_uid_gid() & 0xFFFFFFFF;
	bpf_get_current_comm(&data->command, sizeof(data->command));
	bpf_probe_read_kernel(&data->message, sizeof(data->message), message);
}
#endif
