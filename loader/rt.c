/* The freestanding runtime: entry point, the memory routines the compiler may call, an
 * allocator, output streams and file reading. No libc. */
#include "io.h"
#include "sys.h"
#include <linux/auxvec.h>
#include <linux/mman.h>

ARCH_START_ASM;

unsigned long rb_vdso;
int main(int argc, char **argv);

__attribute__((used)) _Noreturn void rb_start_c(long *sp)
{
	int argc = (int)sp[0];
	char **argv = (char **)(sp + 1);
	char **p = argv + argc + 1; /* environment */
	while (*p)
		p++;
	for (unsigned long *av = (unsigned long *)(p + 1); av[0]; av += 2)
		if (av[0] == AT_SYSINFO_EHDR)
			rb_vdso = av[1];
	rb_exit(main(argc, argv));
}

/* The compiler emits calls to these for struct copies and zeroing. */
void *memcpy(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;
	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;
	if (dp < sp)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

void *memset(void *d, int c, size_t n)
{
	u8 *dp = d;
	while (n--)
		*dp++ = (u8)c;
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

/* Allocator: small blocks are carved from 64 KiB arenas and never returned (rawbpf builds its
 * object model once); blocks over 16 KiB get their own mapping and are unmapped by rb_free. */
#define ARENA (64 * 1024)
#define BIG (16 * 1024)
struct blk { u64 size; u64 big; };
/* The first arena is in .bss: a run of the built-in object needs no mmap at all. */
static u8 arena0[ARENA] __attribute__((aligned(16)));
static u8 *arena_cur = arena0, *arena_end = arena0 + ARENA;

static void *map_or_die(size_t n)
{
	void *p = sys_mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if ((unsigned long)p > -4096UL) {
		rb_eprintf("rawbpf: out of memory (mapping %zu bytes failed)\n", n);
		rb_exit(1);
	}
	return p;
}

void *rb_alloc(size_t n)
{
	struct blk *b;
	size_t need = sizeof *b + ((n + 15) & ~(size_t)15);
	if (n > BIG) {
		if (n > (1UL << 40)) {
			rb_eprintf("rawbpf: out of memory (%zu bytes requested)\n", n);
			rb_exit(1);
		}
		need = (need + 4095) & ~(size_t)4095;
		b = map_or_die(need);
		b->big = 1;
	} else {
		if ((size_t)(arena_end - arena_cur) < need) {
			arena_cur = map_or_die(ARENA);
			arena_end = arena_cur + ARENA;
		}
		b = (struct blk *)arena_cur;
		arena_cur += need;
		b->big = 0;
	}
	b->size = need;
	return b + 1;
}

void *rb_zalloc(size_t n)
{
	/* Fresh mappings are zero, but arena space is not reused, so it is zero too. */
	return rb_alloc(n);
}

void rb_free(void *p)
{
	struct blk *b = (struct blk *)p - 1;
	if (p && b->big)
		sys_munmap(b, b->size);
}

/* Output. */
static char outbuf[4096];
static size_t outlen;

long rb_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		long w = sys_write(fd, p, n);
		if (w == -4) /* EINTR */
			continue;
		if (w < 0)
			return w;
		p += w, n -= (size_t)w;
	}
	return 0;
}

int rb_flush(void)
{
	long r = outlen ? rb_write_all(1, outbuf, outlen) : 0;
	outlen = 0;
	return (int)r;
}

void rb_puts_n(const char *s, size_t n)
{
	if (outlen + n > sizeof outbuf)
		rb_flush();
	if (n > sizeof outbuf) {
		rb_write_all(1, s, n);
		return;
	}
	memcpy(outbuf + outlen, s, n);
	outlen += n;
}

void rb_printf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = rb_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	rb_puts_n(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void rb_eprintf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = rb_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	rb_flush(); /* keep stdout and stderr in order when both go to one place */
	rb_write_all(2, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

_Noreturn void rb_exit(int code)
{
	rb_flush();
	sys_exit_group(code);
}

int rb_read_file(const char *path, size_t max, u8 **out, size_t *size, struct err *e)
{
	struct statx st;
	int fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0), r;
	if (fd < 0)
		return err_set(e, fd, "open %s: %s", path, rb_strerror(-fd));
	r = sys_statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE, &st);
	if (r < 0) {
		err_set(e, r, "stat %s: %s", path, rb_strerror(-r));
		goto out;
	}
	if (S_ISDIR(st.stx_mode)) {
		r = err_set(e, -21, "read %s: it is a directory, not a BPF object file", path);
		goto out;
	}
	if (!S_ISREG(st.stx_mode)) {
		r = err_set(e, -22, "read %s: not a regular file", path);
		goto out;
	}
	if (st.stx_size == 0) {
		r = err_set(e, RB_EOBJ, "read %s: the file is empty", path);
		goto out;
	}
	if (st.stx_size > max) {
		r = err_set(e, -27, "read %s: file too large (%llu bytes; the limit is %zu MiB)", path,
			    (unsigned long long)st.stx_size, max >> 20);
		goto out;
	}
	u8 *buf = rb_alloc(st.stx_size);
	size_t got = 0;
	while (got < st.stx_size) {
		long n = sys_read(fd, buf + got, st.stx_size - got);
		if (n == -4)
			continue;
		if (n < 0) {
			rb_free(buf);
			r = err_set(e, (int)n, "read %s: %s", path, rb_strerror((int)-n));
			goto out;
		}
		if (n == 0)
			break; /* the file shrank under us: parse what we have */
		got += (size_t)n;
	}
	*out = buf;
	*size = got;
	r = 0;
out:
	sys_close(fd);
	return r;
}

long rb_read_small(const char *path, char *buf, size_t size)
{
	int fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	long n;
	if (fd < 0)
		return fd;
	do
		n = sys_read(fd, buf, size - 1);
	while (n == -4);
	sys_close(fd);
	if (n < 0)
		return n;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = 0;
	return n;
}
