/* A gzip reader (RFC 1952 around RFC 1951's deflate), for the kernel's /proc/config.gz. Pure and
 * bounds-checked: any input gives an answer, never a read or write outside the buffers. */
#ifndef RAWBPF_INFLATE_H
#define RAWBPF_INFLATE_H
#include "rt.h"

/* Decodes the first gzip member of in into a new NUL-terminated buffer of at most max bytes
 * (*out, *size; free with rb_free). Returns 0, or -1 with *why saying what is wrong. */
int gunzip(const u8 *in, size_t n, size_t max, u8 **out, size_t *size, const char **why);
#endif
