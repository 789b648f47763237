/* String routines and errno names; portable, used by the freestanding loader and host tests. */
#include "rt.h"

size_t rb_strlen(const char *s)
{
	const char *p = s;
	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t rb_strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int rb_strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (u8)*a - (u8)*b;
}

int rb_strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			break;
	}
	return 0;
}

bool rb_startswith(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return false;
	return true;
}

char *rb_strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *rb_strstr(const char *s, const char *needle)
{
	for (; *s; s++)
		if (rb_startswith(s, needle))
			return (char *)s;
	return *needle ? NULL : (char *)s;
}

size_t rb_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = rb_strlen(src);
	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		for (size_t i = 0; i < c; i++)
			dst[i] = src[i];
		dst[c] = 0;
	}
	return n;
}

/* A CPU list as sysfs writes it ("0-3,8-11\n"): returns the highest id + 1 (12), the slots of
 * a map indexed by CPU id, and sets *count to the CPUs listed (8); 0 if it cannot be read. */
int rb_cpu_list(const char *s, int *count)
{
	int n = 0, top = 0;
	for (;;) {
		u64 a, b;
		if (!(s = rb_parse_u64(s, &a)))
			break;
		b = a;
		if (*s == '-' && !(s = rb_parse_u64(s + 1, &b)))
			break;
		if (b < a || b >= 1u << 20)
			break;
		n += (int)(b - a + 1);
		top = (int)b + 1 > top ? (int)b + 1 : top;
		if (*s++ != ',')
			break;
	}
	*count = n;
	return top;
}

const char *rb_parse_u64(const char *s, u64 *out)
{
	u64 v = 0, base = 10;
	const char *start;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, s += 2;
	start = s;
	for (;; s++) {
		u64 d;
		if (*s >= '0' && *s <= '9')
			d = (u64)(*s - '0');
		else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (u64)((*s | 0x20) - 'a' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return NULL;
		v = v * base + d;
	}
	if (s == start)
		return NULL;
	*out = v;
	return s;
}

/* Only the errors a loader meets, each after its number as one byte (ENOTSUPP, 524, as 0xff);
 * others print as "error N". */
static const char errnames[] =
	"\x01Operation not permitted\0" "\x02No such file or directory\0" "\x03No such process\0"
	"\x04Interrupted system call\0" "\x05Input/output error\0" "\x07" "Argument list too long\0"
	"\x09" "Bad file descriptor\0" "\x0bResource temporarily unavailable\0" "\x0c" "Cannot allocate memory\0"
	"\x0dPermission denied\0" "\x0e" "Bad address\0" "\x10" "Device or resource busy\0" "\x11" "File exists\0"
	"\x13No such device\0" "\x14Not a directory\0" "\x15Is a directory\0" "\x16Invalid argument\0"
	"\x18Too many open files\0" "\x1b" "File too large\0" "\x1cNo space left on device\0" "\x20" "Broken pipe\0"
	"\x22Numerical result out of range\0" "\x24" "File name too long\0" "\x26" "Function not implemented\0"
	"\x28Too many levels of symbolic links\0" "\x5fOperation not supported\0"
	"\x63" "Cannot assign requested address\0" "\xffOperation not supported by the kernel (ENOTSUPP)\0";

const char *rb_nth(const char *list, unsigned n)
{
	while (n--)
		list += rb_strlen(list) + 1;
	return list;
}

const char *rb_strerror(int err)
{
	static char other[24];
	int want = err == 524 ? 255 : err < 255 ? err : -1;
	for (const char *p = errnames; *p; p += rb_strlen(p) + 1)
		if ((u8)*p == want)
			return p + 1;
	rb_snprintf(other, sizeof other, "error %d", err);
	return other;
}

static int err_v(struct err *e, int code, const char *fmt, va_list ap)
{
	rb_vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	e->code = code;
	e->hint[0] = 0;
	return code;
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	code = err_v(e, code, fmt, ap);
	va_end(ap);
	return code;
}

int err_sys(struct err *e, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_v(e, code, fmt, ap);
	va_end(ap);
	size_t n = rb_strlen(e->msg);
	rb_snprintf(e->msg + n, sizeof e->msg - n, ": %s", rb_strerror(-code));
	return code;
}

int err_obj(struct err *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int code = err_v(e, RB_EOBJ, fmt, ap);
	va_end(ap);
	return code;
}

void err_hint(struct err *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	rb_vsnprintf(e->hint, sizeof e->hint, fmt, ap);
	va_end(ap);
}

int err_ctx(struct err *e, const char *fmt, ...)
{
	char old[sizeof e->msg];
	va_list ap;
	int n;
	rb_strlcpy(old, e->msg, sizeof old);
	va_start(ap, fmt);
	n = rb_vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof e->msg)
		rb_snprintf(e->msg + n, sizeof e->msg - (size_t)n, ": %s", old);
	return e->code;
}
