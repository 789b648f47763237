/* The output layer for bpf_trace_printk: copies trace_pipe to stdout as the kernel writes it. */
#ifndef RAWBPF_TRACE_H
#define RAWBPF_TRACE_H
#include "rt.h"

/* Discards what earlier runs left unread, so it is not shown as this run's events. */
void trace_discard_old(int pipe_fd);
/* Copies lines from the pipe (non-blocking) to stdout until it has none ready (EAGAIN), after
 * max_reads reads or once limit bytes are copied. Returns the bytes copied, or -errno. */
long trace_copy(int pipe_fd, unsigned max_reads, u64 limit);
/* Copies what is already in the pipe (lines written before the programs were detached). */
int trace_flush(int pipe_fd);
/* Read per-CPU trace_pipe_raw and format the lines here, where it can be done exactly as the
 * kernel would (traceraw.c); tried at the first trace_copy, trace_pipe otherwise. */
struct tracefs;
void trace_use_raw(const struct tracefs *t);
#define TRACE_RAW_OFF (-4096L)
long traceraw_copy(const struct tracefs *t, unsigned max_pages, u64 limit);
/* Closes trace_pipe and the trace_pipe_raw files (before tracefs can be unmounted). */
void trace_close(int pipe_fd);
void traceraw_close(void);
extern char trace_buf[4096];
/* Where trace_copy's bytes go instead of stdout, if set (run -j: tracejson.c). */
extern void (*trace_sink)(const char *buf, size_t n);
void trace_json(const char *buf, size_t n);
#endif
