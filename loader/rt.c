/* The runtime's output streams and file reading, on raw system calls. Built into the static
 * loader and, for the sanitizer build, against the host libc (start.c is what differs). */
#include "io.h"
#include "sys.h"
#include <linux/time.h>

/* File types of stx_mode (the UAPI's S_IS* macros hide themselves from libc builds). */
#define MODE_TYPE(m) ((m) & 0170000)
#define MODE_DIR 0040000
#define MODE_REG 0100000

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

/* The first failed write to stdout (-errno), kept until rb_flush reports it: a write that
 * rb_puts_n makes on its own has no caller to tell. */
static int out_err;

static void out_write(const char *s, size_t n)
{
	long r = rb_write_all(1, s, n);
	if (r < 0 && !out_err)
		out_err = (int)r;
}

int rb_flush(void)
{
	if (outlen)
		out_write(outbuf, outlen);
	outlen = 0;
	return out_err;
}

void rb_puts_n(const char *s, size_t n)
{
	if (outlen + n > sizeof outbuf)
		rb_flush();
	if (n > sizeof outbuf) {
		out_write(s, n);
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


static int read_file(const char *path, size_t max, bool elf, u8 **out, size_t *size, struct err *e)
{
	struct statx st;
	int fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0), r;
	if (fd < 0)
		return err_sys(e, fd, "open %s", path);
	r = sys_statx(fd, "", AT_EMPTY_PATH, STATX_TYPE | STATX_SIZE, &st);
	if (r < 0) {
		err_sys(e, r, "stat %s", path);
		goto out;
	}
	if (MODE_TYPE(st.stx_mode) == MODE_DIR) {
		r = err_set(e, -EISDIR, "read %s: it is a directory, not a BPF object file", path);
		goto out;
	}
	if (MODE_TYPE(st.stx_mode) != MODE_REG) {
		r = err_set(e, -EINVAL, "read %s: not a regular file", path);
		goto out;
	}
	if (st.stx_size == 0) {
		r = err_set(e, RB_EOBJ, "read %s: the file is empty", path);
		goto out;
	}
	if (st.stx_size > max) {
		r = err_set(e, -EFBIG, "read %s: file too large (%llu bytes; the limit is %zu MiB)", path,
			    (unsigned long long)st.stx_size, max >> 20);
		goto out;
	}
	u8 *buf = rb_alloc(st.stx_size);
	size_t got = 0;
	while (got < st.stx_size) {
		/* The first page alone, then the rest only if it starts like an ELF file: a large file
		 * of something else costs a page of memory, not its size; the ELF reader says why. */
		size_t want = got ? st.stx_size - got : (size_t)rb_min64(st.stx_size, 4096);
		if (elf && got >= 4 && memcmp(buf, "\177ELF", 4))
			break;
		long n = sys_read(fd, buf + got, want);
		if (n == -EINTR)
			continue;
		if (n < 0) {
			rb_free(buf);
			r = err_sys(e, (int)n, "read %s", path);
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

int rb_read_file(const char *path, size_t max, u8 **out, size_t *size, struct err *e)
{
	return read_file(path, max, true, out, size, e);
}

int rb_read_whole(const char *path, size_t max, u8 **out, size_t *size, struct err *e)
{
	return read_file(path, max, false, out, size, e);
}

long rb_read_small(const char *path, char *buf, size_t size)
{
	int fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	long n;
	if (fd < 0)
		return fd;
	do
		n = sys_read(fd, buf, size - 1);
	while (n == -EINTR);
	sys_close(fd);
	if (n < 0)
		return n;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = 0;
	return n;
}

s64 now_ns(void)
{
	struct __kernel_timespec t;
	sys_clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int rb_getpid(void)
{
	return sys_getpid();
}
