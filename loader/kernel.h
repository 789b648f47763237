/* The kernel layer: the only code that issues bpf(), perf_event_open(), the perf ioctls and
 * tracefs reads and writes. One thin wrapper per operation; each returns an fd, 0, or -errno with
 * the error record filled. With --explain each call is narrated on stderr. */
#ifndef RAWBPF_KERNEL_H
#define RAWBPF_KERNEL_H
#include "rt.h"
#include <linux/bpf.h>
#include <linux/fcntl.h>
#include <linux/poll.h>
#include <linux/stat.h>
#include <linux/time_types.h>
#include <linux/utsname.h>

extern bool kern_explain;
void explain(const char *fmt, ...) FMT(1, 2);
/* "3", or "-1 (No such file or directory)": a system call's result as explain() shows it; each
 * call its own buffer, so one message may show two (kern_res(a).s, kern_res(b).s). */
struct kres { char s[40]; };
struct kres kern_res(long r);
/* Narrates one call as "CALL = RESULT  -- WHY" (why may be NULL) and returns r. */
long kern_said(long r, const char *why, const char *fmt, ...) FMT(3, 4);
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
	const int *fd_array;        /* module BTF fds of kfuncs (insn->off indexes it), or NULL */
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

/* perf_event_open on the kprobe PMU (a probe on the kernel function name) or the uprobe PMU (user:
 * at file offset off of path name); config holds the retprobe bit (and a uprobe's ref_ctr_offset)
 * where the PMU's format puts them; pid -1: every process. */
int kern_perf_probe(int pmu_type, bool user, const char *name, u64 off, u64 config, int pid, struct err *e);
/* perf_event_open of a tracefs event (tracepoint or legacy kprobe) by its id; pid -1: every process. */
int kern_perf_tracepoint(u64 id, const char *what, int pid, struct err *e);
/* PERF_EVENT_IOC_SET_BPF: runs prog_fd on each hit of the event. */
int kern_perf_set_bpf(int perf_fd, int prog_fd, struct err *e);
/* BPF_LINK_CREATE (5.7+; BPF_PERF_EVENT links, with a BPF cookie if not 0, 5.15+). */
int kern_link_create(int prog_fd, int target_fd, u32 attach_type, u64 cookie, struct err *e);
/* Does the kernel have helper for programs of type? (a 2-instruction program calling it loads) */
bool kern_has_helper(u32 prog_type, u32 helper);
/* An fd of the kernel's BTF object of module name (for attach_btf_obj_fd), or -errno. */
int kern_module_btf_fd(const char *name, struct err *e);
/* The sysfs, procfs and tracefs files, processes, signals and buffer mappings, each call narrated
 * (why: what it is for, may be NULL). kern_read: a small file whole (rb_read_small). */
long kern_read(const char *path, char *buf, size_t size, const char *why);
int kern_open(const char *path, int flags, const char *why); /* O_CLOEXEC added */
/* A read that repeats (trace_pipe, the signalfd): the first of each kind (a bit) is narrated. */
long kern_read_fd(int fd, void *buf, size_t n, unsigned kind, const char *what);
#define KREAD_TRACE 16u
#define KREAD_RAW 32u /* trace_pipe_raw pages (traceraw.c) */
#define KREAD_CMDLINES 64u
/* (128 and 256: traceraw.c's re-reads of trace_options and trace_clock) */
#define KREAD_LINES 512u /* a tracefs or procfs file line by line (attach.c) */
#define KREAD_CONFIG 1024u /* the kernel config (resolve.c) */
int kern_statx(const char *path, unsigned mask, struct statx *st, const char *why);
long kern_readlink(const char *path, char *buf, size_t size, const char *why); /* NUL-terminated */
bool kern_pid_gone(int pid); /* kill(pid, 0) says ESRCH */
int kern_uname(struct new_utsname *u); /* (empty strings if it fails) */
/* Each line of /proc/kallsyms to fn ("ffffffff81234560 T name\t[module]"); why: for --explain. */
int kern_kallsyms(const char *why, void (*fn)(char *line, void *ctx), void *ctx);
int kern_close(int fd, const char *what);
/* MAP_SHARED of fd (a perf buffer, a ring buffer); NULL with e filled on failure. */
void *kern_mmap(int fd, size_t len, int prot, long off, const char *what, struct err *e);
void kern_munmap(void *p, size_t len, const char *what);
/* A file mapped privately, or read where it cannot be (the low bit of *out then marks the heap
 * copy: kern_unmap_file frees either); one narration line, why says what for. */
int kern_map_file(const char *path, void **out, u64 *size, const char *why, struct err *e);
void kern_unmap_file(void *m, u64 size, const char *what);
/* Each entry of directory path to fn until it returns non-zero (that value is returned). */
int kern_list_dir(const char *path, int (*fn)(const char *name, void *ctx), void *ctx, const char *why, struct err *e);
int kern_poll(struct pollfd *f, unsigned n, const struct __kernel_timespec *t, const char *what);
/* Blocks SIGINT, SIGQUIT, SIGTERM, SIGPIPE (and SIGHUP, unless it is ignored: nohup) and returns
 * a signalfd of the stop signals among them; kern_signal reads the one that came (0: none). */
int kern_stop_signals(struct err *e);
int kern_signal(int fd);
/* How many CPUs are possible, and the highest possible CPU id + 1 (/sys/devices/system/cpu/possible). */
int nr_possible_cpus(void);
int possible_cpu_slots(void);

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
