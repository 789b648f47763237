/* Test object built with libbpf's own headers (libbpf-dev): bpf_printk keeps its format in
 * .rodata, so this also exercises global data; SEC() and the helpers are libbpf's. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tp/syscalls/sys_enter_execve")
int libbpf_hello(void *ctx)
{
	bpf_printk("libbpf says hello to %d", (int)(bpf_get_current_pid_tgid() >> 32));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
