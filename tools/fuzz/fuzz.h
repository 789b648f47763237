/* What every fuzz driver shares: the host libc standing in for rawbpf's allocator, and CHECK,
 * which aborts (a crash libFuzzer records) with the invariant and a message. FUZZ_NAME names
 * the driver in that message. */
#ifndef RAWBPF_FUZZ_H
#define RAWBPF_FUZZ_H
#include <stdio.h>
#include <stdlib.h>

void *rb_alloc(size_t n) { return malloc(n ? n : 1); }
void *rb_zalloc(size_t n) { return calloc(1, n ? n : 1); }
void rb_free(void *p) { free(p); }

#define CHECK(cond, ...)                                                                 \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, FUZZ_NAME ": invariant broken: %s: ", #cond);    \
			fprintf(stderr, __VA_ARGS__);                                    \
			fputc('\n', stderr);                                             \
			abort();                                                         \
		}                                                                        \
	} while (0)
#endif
