/* The attach layer: hangs loaded programs on kernel events (kprobe PMU, legacy kprobe_events,
 * tracepoints) and knows how to undo each attachment. */
#ifndef RAWBPF_ATTACH_H
#define RAWBPF_ATTACH_H
#include "kernel.h"
#include "obj.h"

enum attach_mode { MODE_AUTO, MODE_KPROBE, MODE_LEGACY, MODE_TRACEPOINT };
enum attach_path { PATH_NONE, PATH_PMU, PATH_LEGACY, PATH_TRACEPOINT, PATH_RAW_TP };

struct attach_env {
	struct tracefs *tfs;
	bool tfs_ready;    /* found (or mounted): only paths that need tracefs look for it */
	int pid;
	bool probed;
	int pmu_type;      /* kprobe PMU type, -1 if this kernel has none */
	int retbit;        /* bit of attr.config that makes a return probe */
	bool kprobe_events;
	bool stale_checked;
	unsigned seq;      /* legacy event counter */
	char prefix[24];   /* syscall function prefix, once resolved */
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
};

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
#endif
