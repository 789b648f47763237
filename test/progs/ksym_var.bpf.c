/* Test object for a typed .ksyms variable: the kernel's per-CPU bpf_prog_active, which a
 * tracepoint program sees at 1 (trace_call_bpf counts itself in). The kernel finds the
 * variable's address by name, so it needs CONFIG_KALLSYMS_ALL. */
#include "rawbpf.bpf.h"

#define __ksym __attribute__((section(".ksyms")))
extern const int bpf_prog_active __ksym;
HELPER(void *, this_cpu_ptr, (const void *percpu));

SEC("tp/syscalls/sys_enter_execve")
int ksym_var_exec(void *ctx)
{
	const int *active = this_cpu_ptr(&bpf_prog_active);
	printk("ksym active %d", *active);
	return 0;
}

LICENSE("GPL");
