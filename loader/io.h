/* The freestanding runtime's process-level face: output streams, reading files, exit, and what
 * the kernel handed us at start. Only layers that may make system calls include this. */
#ifndef RAWBPF_IO_H
#define RAWBPF_IO_H
#include "rt.h"

extern unsigned long rb_vdso;     /* AT_SYSINFO_EHDR: the vDSO image, 0 if none */
extern unsigned long rb_pagesize; /* AT_PAGESZ */
extern char **rb_environ;         /* the environment, NULL-terminated */

/* Buffered stdout; stderr writes go out at once (one write() per call). */
void rb_printf(const char *fmt, ...) FMT(1, 2);
void rb_eprintf(const char *fmt, ...) FMT(1, 2);
void rb_puts_n(const char *s, size_t n);
int rb_flush(void); /* returns -errno of a failed write (e.g. -EPIPE) */
/* Writes all of buf to fd, retrying on EINTR and short writes. */
long rb_write_all(int fd, const void *buf, size_t n);
_Noreturn void rb_exit(int code);
s64 now_ns(void); /* CLOCK_MONOTONIC */
int rb_getpid(void);

/* Reads a whole regular file of at most max bytes into a new buffer; a file that does not
 * start with the ELF magic is read no further than its first page. */
int rb_read_file(const char *path, size_t max, u8 **out, size_t *size, struct err *e);
/* The same for a file of any content (rb_read_file stops early unless it is ELF). */
int rb_read_whole(const char *path, size_t max, u8 **out, size_t *size, struct err *e);
/* Reads a small file (sysfs, tracefs) into buf, NUL-terminated, trailing newline removed.
 * Returns the length or -errno. */
long rb_read_small(const char *path, char *buf, size_t size);
#endif
