/* BPF-side declarations for rawbpf's programs: SEC(), the license, and the helpers we call.
 * Our own small subset, so the programs build with nothing but clang and the UAPI headers. */
#ifndef RAWBPF_BPF_H
#define RAWBPF_BPF_H
#include <linux/types.h>
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define LICENSE(l) char _license[] SEC("license") = l
#define __noinline __attribute__((noinline))

/* Helpers are called by number: the verifier and JIT resolve the id in the call instruction. */
static long (*const bpf_trace_printk)(const char *fmt, __u32 fmt_size, ...) = (void *)BPF_FUNC_trace_printk;
static __u64 (*const bpf_get_current_pid_tgid)(void) = (void *)BPF_FUNC_get_current_pid_tgid;
static __u64 (*const bpf_get_current_uid_gid)(void) = (void *)BPF_FUNC_get_current_uid_gid;
static long (*const bpf_get_current_comm)(void *buf, __u32 size) = (void *)BPF_FUNC_get_current_comm;

/* Like BCC: the format lives on the program's stack, so no global data is needed. */
#define trace_printk(fmt, ...)                                                                     \
	({                                                                                         \
		char ____fmt[] = fmt;                                                              \
		bpf_trace_printk(____fmt, sizeof(____fmt), ##__VA_ARGS__);                         \
	})
#endif
