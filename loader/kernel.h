/* The kernel layer: the only code that issues bpf(), perf_event_open(), the perf ioctls and
 * tracefs reads and writes. One thin wrapper per operation; each returns an fd, 0, or -errno with
 * the error record filled. With --explain each call is narrated on stderr. */
#ifndef RAWBPF_KERNEL_H
#define RAWBPF_KERNEL_H
#include "rt.h"
#include <linux/bpf.h>

extern bool kern_explain;
void explain(const char *fmt, ...) FMT(1, 2);
/* "3", or "-1 (No such file or directory)": a system call's result as explain() shows it. */
const char *kern_res(long r);
/* "kprobe", "tracepoint", ...: libbpf's and bpftool's names. */
const char *prog_type_name(u32 type);

struct load_req {
	const char *name;
	int btf_fd;                 /* with func_info and line_info, if >= 0 */
	const void *func_info, *line_info;
	u32 func_info_cnt, line_info_cnt;
	u32 prog_type;
	u32 expected_attach_type;
	const struct bpf_insn *insns;
	u32 insn_cnt;
	const char *license;
	u32 kern_version;
	u32 attach_btf_id, attach_btf_obj_fd; /* BTF-typed programs: the target in the kernel's BTF */
};
/* BPF_PROG_LOAD. On rejection *log holds the verifier log (allocated, may be empty). */
int kern_prog_load(const struct load_req *r, char **log, struct err *e);

struct map_req {
	const char *name;
	u32 type, key_size, value_size, max_entries, flags;
	int btf_fd;
	u32 btf_key, btf_value;
};
int kern_map_create(const struct map_req *r, struct err *e);
int kern_map_update(int fd, const char *map, const void *key, const void *value, struct err *e);
int kern_map_lookup(int fd, const void *key, void *value);
int kern_map_next_key(int fd, const void *key, void *next);
int kern_map_freeze(int fd, const char *map, struct err *e);
/* BPF_BTF_LOAD; on refusal *log holds the kernel's BTF log (allocated). */
int kern_btf_load(const void *data, u32 size, char **log, struct err *e);
/* BPF_RAW_TRACEPOINT_OPEN: attaches prog_fd to the raw tracepoint name (NULL: a BTF-typed
 * program, to the target it was loaded for). */
int kern_raw_tp_open(const char *name, int prog_fd, struct err *e);
/* A PERF_COUNT_SW_BPF_OUTPUT event on cpu: where bpf_perf_event_output() writes. */
int kern_perf_bpf_output(int cpu, struct err *e);
int kern_perf_enable(int fd, struct err *e);

/* perf_event_open on the kprobe PMU: a probe on func (a return probe with retbit >= 0). */
int kern_perf_kprobe(int pmu_type, const char *func, int retbit, struct err *e);
/* perf_event_open of a tracefs event (tracepoint or legacy kprobe) by its id; pid -1: every process. */
int kern_perf_tracepoint(u64 id, const char *what, int pid, struct err *e);
/* perf_event_open on the uprobe PMU: a probe at file offset off of path; config holds the
 * retprobe bit and the semaphore's offset (ref_ctr_offset) where the PMU's format puts them. */
int kern_perf_uprobe(int pmu_type, const char *path, u64 off, u64 config, int pid, struct err *e);
/* BPF_LINK_CREATE of prog_fd on a perf event, with a BPF cookie (5.15+). */
int kern_link_perf(int prog_fd, int perf_fd, u64 cookie, struct err *e);
/* PERF_EVENT_IOC_SET_BPF: runs prog_fd on each hit of the event. */
int kern_perf_set_bpf(int perf_fd, int prog_fd, struct err *e);
/* BPF_LINK_CREATE (5.7+; BPF_PERF_EVENT links 5.15+). */
int kern_link_create(int prog_fd, int target_fd, u32 attach_type, struct err *e);
/* Does the kernel have helper for programs of type? (a 2-instruction program calling it loads) */
bool kern_has_helper(u32 prog_type, u32 helper);
/* An fd of the kernel's BTF object of module name (for attach_btf_obj_fd), or -errno. */
int kern_module_btf_fd(const char *name, struct err *e);
/* A small sysfs, procfs or tracefs file, narrated (rb_read_small). */
long kern_read(const char *path, char *buf, size_t size);
/* Each line of /proc/kallsyms to fn ("ffffffff81234560 T name\t[module]"); why: for --explain. */
int kern_kallsyms(const char *why, void (*fn)(char *line, void *ctx), void *ctx);
int kern_close(int fd, const char *what);

/* tracefs (found by its magic number; mounted when absent). */
struct tracefs {
	char dir[64];
	bool mounted_by_us;
	bool sysfs_by_us; /* /sys was not mounted either (an initramfs): unmounted after tracefs */
};
int tracefs_find(struct tracefs *t, struct err *e);
void tracefs_release(struct tracefs *t);
/* Appends one line to a tracefs control file (never truncates: other tools' probes live there). */
int tracefs_append(const struct tracefs *t, const char *file, const char *line, struct err *e);
/* Reads an event's id from events/<event>/id. */
int tracefs_event_id(const struct tracefs *t, const char *event, u64 *id, struct err *e);
/* Opens trace_pipe for reading, non-blocking. */
int tracefs_open_pipe(const struct tracefs *t, struct err *e);

/* The running kernel's LINUX_VERSION_CODE: from the vDSO's "Linux" note, else uname. */
u32 kern_version_code(void);

/* Feature probes (probe.c): what this kernel offers, each answer with how it was found. What a
 * probe creates (a program, a map, an attachment) is closed before the next one; a tracefs it
 * had to mount stays until kern_probe_release. */
struct probe_item {
	const char *what;
	char text[256];    /* "answer|how it was found" */
	bool ok;
};
struct probe {
	struct probe_item item[28];
	unsigned n;
	struct tracefs tfs;
	bool bpf, tracefs, kprobes, tracepoint; /* what the default job needs */
};
void kern_probe(struct probe *p);
void kern_probe_release(struct probe *p);
void probe_add(struct probe *p, const char *what, bool ok, const char *fmt, ...) FMT(4, 5);
#endif
