/* Decompression of the built-in objects (packed at build time by tools/lzpack.c): a byte-
 * oriented LZ77 format of literal runs and back-references. Pure and bounds-checked. */
#ifndef RAWBPF_LZ_H
#define RAWBPF_LZ_H
#include "rt.h"

/* Decodes src into dst (exactly dst_size bytes expected). Returns 0, or -1 if src is malformed. */
int lz_decode(const u8 *src, size_t src_size, u8 *dst, size_t dst_size);
#endif
