/* Test object for --set: "const volatile" settings as libbpf skeletons write them before load,
 * and a map whose size the object leaves to user space. */
#include "rawbpf.bpf.h"

enum level { LOW = 1, HIGH = 7 };
const volatile int target_pid = 0; /* 0: every process */
const volatile enum level level = LOW;
const volatile char tag[8] = "none";
const volatile _Bool loud;
volatile signed char small;        /* .bss */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, __u64);
} sized SEC(".maps");              /* no max_entries: --set sized.max_entries=N */

SEC("tp/syscalls/sys_enter_execve")
int set_exec(void *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	__u64 one = 1;
	if (target_pid && pid != (__u32)target_pid)
		return 0;
	printk("exec %d level %d small %d", pid, level, small);
	printk("tag %s loud %d", tag, loud);
	bpf_map_update_elem(&sized, &pid, &one, 0);
	return 0;
}

LICENSE("GPL");
