/* BPF-side declarations for rawbpf's programs: SEC(), the license, map definitions, the helpers
 * we call, and rawbpf's output conventions. Our own small subset, so the programs build with
 * nothing but clang and the UAPI headers (objects built with libbpf's headers load too). */
#ifndef RAWBPF_BPF_H
#define RAWBPF_BPF_H
#include <linux/types.h>
#include <linux/bpf.h>

#define SEC(name) __attribute__((section(name), used))
#define LICENSE(l) char _license[] SEC("license") = l
#define __noinline __attribute__((noinline))

/* BTF-defined maps, spelled as libbpf spells them: the member types carry the numbers. */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]

/* Helpers are called by number: the verifier and JIT resolve the id in the call instruction. */
#define HELPER(ret, name, args) static ret(*const name) args = (void *)BPF_FUNC_##name
HELPER(void *, map_lookup_elem, (void *map, const void *key));
HELPER(long, map_update_elem, (void *map, const void *key, const void *value, __u64 flags));
HELPER(long, trace_printk, (const char *fmt, __u32 fmt_size, ...));
HELPER(__u64, get_current_pid_tgid, (void));
HELPER(__u64, get_current_uid_gid, (void));
HELPER(long, get_current_comm, (void *buf, __u32 size));
HELPER(long, tail_call, (void *ctx, void *prog_array, __u32 index));
HELPER(long, perf_event_output, (void *ctx, void *map, __u64 flags, void *data, __u64 size));
HELPER(long, probe_read_kernel, (void *dst, __u32 size, const void *src));
HELPER(long, ringbuf_output, (void *ringbuf, void *data, __u64 size, __u64 flags));
#define bpf_map_lookup_elem map_lookup_elem
#define bpf_map_update_elem map_update_elem
#define bpf_trace_printk trace_printk
#define bpf_get_current_pid_tgid get_current_pid_tgid
#define bpf_get_current_uid_gid get_current_uid_gid
#define bpf_get_current_comm get_current_comm
#define bpf_tail_call tail_call
#define bpf_perf_event_output perf_event_output
#define bpf_probe_read_kernel probe_read_kernel
#define bpf_ringbuf_output ringbuf_output

/* Like BCC: the format lives on the program's stack, so no global data is needed. */
#define printk(fmt, ...)                                                                           \
	({                                                                                         \
		char ____fmt[] = fmt;                                                              \
		bpf_trace_printk(____fmt, sizeof(____fmt), ##__VA_ARGS__);                         \
	})

/* rawbpf's output conventions, in a section rawbpf reads and never loads:
 * RAWBPF_FORMAT(map, "ID {key}: {value}\t") prints each entry of a hash or array map that way
 * (the entries of one interval on one line), or each record of a perf or ring buffer with
 * "{field}" taken from the record's struct; RAWBPF_RECORD(map, struct data_t) names the type of
 * a perf or ring buffer's records, so they are decoded through BTF instead of shown as hex. */
#define RAWBPF_FORMAT(map, fmt) const char rawbpf_fmt_##map[] SEC(".rawbpf") = fmt
#define RAWBPF_RECORD(map, type) const type rawbpf_record_##map SEC(".rawbpf") = {}
#endif
