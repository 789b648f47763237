/* The attach layer: hangs loaded programs on kernel events (kprobe PMU, legacy kprobe_events,
 * tracepoints) and knows how to undo each attachment. */
#ifndef RAWBPF_ATTACH_H
#define RAWBPF_ATTACH_H
#include "kernel.h"
#include "obj.h"
#include "uelf.h"

enum attach_mode { MODE_AUTO, MODE_KPROBE, MODE_LEGACY, MODE_TRACEPOINT };
enum attach_path { PATH_NONE, PATH_PMU, PATH_LEGACY, PATH_TRACEPOINT, PATH_RAW_TP, PATH_BTF };

struct attach_env {
	struct tracefs *tfs;
	bool tfs_ready;    /* found (or mounted): only paths that need tracefs look for it */
	int pid;
	bool probed;
	int pmu_type;      /* kprobe PMU type, -1 if this kernel has none */
	int retbit;        /* bit of attr.config that makes a return probe */
	bool kprobe_events;
	u8 stale_checked;  /* bits: kprobe_events, uprobe_events swept */
	unsigned seq;      /* legacy event counter */
	char ns[24];       /* legacy event names: "" in the first pid namespace, "_ns<inode>" in another */
	bool ns_known;     /* /proc/self/ns/pid could be read: only then are stale events swept */
	char prefix[24];   /* syscall function prefix, once resolved */
	char notice[512];  /* lines for the CLI to print (stale probes removed, a failed removal) */
	/* user-space probes */
	struct obj *obj;   /* whose USDT maps (__bpf_usdt_specs, __bpf_usdt_ip_to_spec_id) get filled */
	int target_pid;    /* --pid: probes fire in this process only; -1: in every one */
	bool uprobed;
	int upmu_type, uretbit, urefshift; /* uprobe PMU: type, retprobe bit, ref_ctr_offset's first bit */
	u32 spec_next;     /* next USDT spec id */
};

/* One place a user-space probe fires: a function, or one site of a USDT probe. */
struct usite {
	u64 vaddr, off, ref;   /* address as linked, file offset, the semaphore's file offset (0: none) */
	u64 sema;              /* USDT: the semaphore's address */
	u8 spec[USDT_SPEC_SIZE]; /* USDT: libbpf's struct __bpf_usdt_spec for it */
	char args[160], parsed[160]; /* USDT: its arguments as the note has them, and as read */
	int fd, link;          /* perf event, BPF link */
	bool defined;          /* its uprobe_events entry exists */
	bool dyn;              /* in a position-independent file (ET_DYN): its address varies */
	char ev[48];           /* legacy: GROUP/EVENT */
};

struct attachment {
	struct prog *prog;
	enum attach_path path;
	bool ret;              /* return probe */
	char func[128];        /* kernel function (kprobe paths) */
	char tp[128];          /* tracefs event CAT/NAME (tracepoint path, legacy event) */
	int perf_fd;
	bool legacy_defined;
	char notice[256];      /* a fallback that was taken, to announce on stderr */
	/* user-space probes (nsites > 0) */
	char *upath;           /* the file, as found */
	struct usite *sites;
	unsigned nsites;
	bool usdt, cookies;    /* cookies: attached through BPF links carrying the spec id */
};

/* A PMU's attribute in /sys/bus/event_source/devices/PMU/: "type" (for perf_event_attr.type) or
 * "format/NAME" ("config:N": a bit of attr.config, below 64); -errno if missing or not that. */
long pmu_attr(const char *pmu, const char *attr, const char *why);
/* Calls fn on each line of fd ('\n' replaced by a NUL), a buffer of size at a time. */
void each_line(int fd, char *buf, size_t size, void (*fn)(char *line, void *ctx), void *ctx);
void attach_env_init(struct attach_env *env, struct tracefs *tfs);
/* Finds (or mounts) tracefs the first time something needs it. */
int attach_tracefs(struct attach_env *env, struct err *e);
/* Chooses how p will attach under mode, and so which program type it must be loaded as. */
int attach_plan(struct attach_env *env, struct prog *p, enum attach_mode mode, struct attachment *a,
		u32 *load_type, struct err *e);
int attach_do(struct attach_env *env, struct attachment *a, struct err *e);
void attach_undo(struct attach_env *env, struct attachment *a);
/* The first syscall prefix (BCC's order) whose <prefix>bpf is in /proc/kallsyms, into env->prefix. */
int attach_syscall_prefix(struct attach_env *env);
/* "kprobe __x64_sys_execve (kprobe PMU)" and the like. */
void attach_describe(const struct attachment *a, char *buf, size_t size);
/* Defines a legacy probe "p:rawbpf/rawbpf_<pid>_<n> WHERE" (r: with ret) in file (kprobe_events,
 * uprobe_events), sweeping dead runs' leftovers first, its GROUP/EVENT into tp (*defined set once it
 * exists), and opens its perf event (pid -1: in every process). */
int attach_legacy_open(struct attach_env *env, const char *file, bool ret, const char *where, char *tp,
		       size_t size, int pid, bool *defined, struct err *e);
void attach_legacy_del(struct attach_env *env, const char *file, const char *tp);

/* User-space probes (uprobe.c). Finds the file of "PATH:FUNC[+OFF]" or (usdt) "PATH:PROVIDER:NAME"
 * (a library by name as the dynamic linker does, a program through $PATH), and the place or
 * places to probe; *what describes them. Reads files only. */
int uprobe_resolve(const char *target, bool usdt, char **path, struct usite **sites, unsigned *n, char *what,
		   size_t wsize, struct err *e);
int uprobe_plan(struct attach_env *env, struct attachment *a, enum attach_mode mode, struct err *e);
int uprobe_attach(struct attach_env *env, struct attachment *a, struct err *e);
void uprobe_detach(struct attach_env *env, struct attachment *a);
#endif
