/* The runtime's portable face: strings, a small formatter, an allocator and the error record
 * every layer fills. The pure layers (readers, object model) use only this header, so they build
 * both freestanding and against the host libc for the unit tests and fuzzers. */
#ifndef RAWBPF_RT_H
#define RAWBPF_RT_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/errno.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FMT(a, b) __attribute__((format(printf, a, b)))

/* Memory routines: the compiler may emit calls to these; start.c defines them freestanding.
 * Elsewhere they are the compiler's builtins: -ffreestanding would otherwise make every small
 * fixed-size copy or compare (a u32 read from a byte buffer, a 16-byte key) a call. */
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
#ifndef RT_MEM_DEFINED
#define memcpy(d, s, n) __builtin_memcpy(d, s, n)
#define memmove(d, s, n) __builtin_memmove(d, s, n)
#define memset(d, c, n) __builtin_memset(d, c, n)
#define memcmp(a, b, n) __builtin_memcmp(a, b, n)
#endif

/* Strings (str.c). */
size_t rb_strlen(const char *s);
size_t rb_strnlen(const char *s, size_t max);
int rb_strcmp(const char *a, const char *b);
int rb_strncmp(const char *a, const char *b, size_t n);
bool rb_startswith(const char *s, const char *prefix);
char *rb_strchr(const char *s, int c);
char *rb_strstr(const char *s, const char *needle);
/* Copies at most size-1 bytes and always terminates; returns the length of src. */
size_t rb_strlcpy(char *dst, const char *src, size_t size);
/* Parses an unsigned decimal (or 0x hex) number; returns the end pointer, or NULL on no digits
 * or overflow. */
const char *rb_parse_u64(const char *s, u64 *out);
int rb_cpu_list(const char *s, int *count);
const char *rb_strerror(int err); /* err > 0 */
/* The nth of the NUL-separated strings at list (n below their count: the caller checks). */
const char *rb_nth(const char *list, unsigned n);

/* Formatter (fmt.c): %s %.*s %c %d %i %u %x %ld %lu %lx %lld %llu %llx %zu %zd %p %%, with
 * width, '-' and '0'. Returns the length it wanted; always terminates when size > 0. */
int rb_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int rb_snprintf(char *buf, size_t size, const char *fmt, ...) FMT(3, 4);

/* Allocator (start.c freestanding; malloc in host builds). Never returns NULL: on exhaustion
 * the freestanding build exits with a message. */
void *rb_alloc(size_t n);
void *rb_zalloc(size_t n);
void rb_free(void *p);

/* The error record. Lower layers fill it and return -errno; only the CLI prints it, as
 * "rawbpf: <msg>" and, if set, "hint: <hint>". */
struct err {
	int code;       /* -errno, or one of the RB_E* codes below */
	char msg[400];
	char hint[240];
};
#define RB_EOBJ (-1000) /* the object file is invalid */
int err_set(struct err *e, int code, const char *fmt, ...) FMT(3, 4);
/* err_set for a failed system call: the message, then ": " and code's (-errno) text. */
int err_sys(struct err *e, int code, const char *fmt, ...) FMT(3, 4);
void err_hint(struct err *e, const char *fmt, ...) FMT(2, 3);
/* Prepends "what: " to the message, so callers can add context on the way up. */
int err_ctx(struct err *e, const char *fmt, ...) FMT(2, 3);
/* The readers and the object model (x: a struct with a `struct err err` record): fills x's record
 * and evaluates to RB_EOBJ. */
int err_obj(struct err *e, const char *fmt, ...) FMT(2, 3); /* err_set(e, RB_EOBJ, ...) */
#define FAIL(x, ...) err_obj(&(x)->err, __VA_ARGS__)
/* Hands y's record up to x as it is (an object failing because its ELF or BTF reader did). */
#define ERR_PASS(x, y) ((x)->err = (y)->err, RB_EOBJ)

static inline u64 rb_min64(u64 a, u64 b) { return a < b ? a : b; }
#endif
