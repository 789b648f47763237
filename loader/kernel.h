/* The kernel layer: the only code that issues bpf(), perf_event_open(), the perf ioctls and
 * tracefs reads and writes. One thin wrapper per operation; each returns an fd, 0, or -errno with
 * the error record filled. With --explain each call is narrated on stderr. */
#ifndef RAWBPF_KERNEL_H
#define RAWBPF_KERNEL_H
#include "rt.h"
#include <linux/bpf.h>

extern bool kern_explain;
void explain(const char *fmt, ...) FMT(1, 2);

struct load_req {
	const char *name;
	u32 prog_type;
	u32 expected_attach_type;
	const struct bpf_insn *insns;
	u32 insn_cnt;
	const char *license;
	u32 kern_version;
};
/* BPF_PROG_LOAD. On rejection *log holds the verifier log (allocated, may be empty). */
int kern_prog_load(const struct load_req *r, char **log, struct err *e);

/* perf_event_open on the kprobe PMU: a probe on func (a return probe with retbit >= 0). */
int kern_perf_kprobe(int pmu_type, const char *func, int retbit, struct err *e);
/* perf_event_open of a tracefs event (tracepoint or legacy kprobe) by its id. */
int kern_perf_tracepoint(u64 id, const char *what, struct err *e);
/* PERF_EVENT_IOC_SET_BPF: runs prog_fd on each hit of the event. */
int kern_perf_set_bpf(int perf_fd, int prog_fd, struct err *e);
int kern_close(int fd, const char *what);

/* tracefs (found by its magic number; mounted when absent). */
struct tracefs {
	char dir[64];
	bool mounted_by_us;
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
#endif
