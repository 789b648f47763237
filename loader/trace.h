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
/* Where trace_copy's bytes go instead of stdout, if set (run -j: tracejson.c). */
extern void (*trace_sink)(const char *buf, size_t n);
void trace_json(const char *buf, size_t n);
#endif
