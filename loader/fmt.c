/* A small printf-style formatter: only the conversions rawbpf uses, always bounded. */
#include "rt.h"

struct sink { char *buf; size_t size, len; };

static __attribute__((noinline)) void put(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

/* The next argument: 8 bytes (a pointer, a long long) or 4 (an int, promoted char). One place
 * that reads them, not one per conversion and size. */
static __attribute__((noinline)) u64 arg(va_list *ap, bool wide)
{
	return wide ? va_arg(*ap, u64) : va_arg(*ap, unsigned);
}

int rb_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap0)
{
	struct sink s = {buf, size, 0};
	char num[24];
	va_list ap;
	va_copy(ap, ap0);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&s, *fmt);
			continue;
		}
		bool left = false;
		char pad = ' ';
		int width = 0, prec = -1, lng = 0;
		while (*++fmt == '-' || *fmt == '0')
			*fmt == '-' ? (left = true) : (pad = '0');
		for (int *n = &width;; n = &prec, *n = 0, fmt++) { /* width, then .precision */
			if (*fmt == '*')
				*n = (int)arg(&ap, false), fmt++;
			else
				while (*fmt >= '0' && *fmt <= '9')
					*n = *n * 10 + (*fmt++ - '0');
			if (n == &prec || *fmt != '.')
				break;
		}
		while (*fmt == 'l' || *fmt == 'z')
			lng++, fmt++;
		char c = *fmt, *e = num + sizeof num;
		const char *p = e;
		if (!c)
			break;
		if (c == 's') {
			if (!(p = (const char *)arg(&ap, true)))
				p = "(null)";
			e = (char *)p + (prec >= 0 ? rb_strnlen(p, (size_t)prec) : rb_strlen(p));
		} else if (c == 'c') {
			*--e = (char)arg(&ap, false), p = e++;
		} else if (c == 'd' || c == 'i' || c == 'u' || c == 'x' || c == 'p') {
			bool wide = lng || c == 'p', neg = false;
			unsigned base = c == 'x' || c == 'p' ? 16 : 10;
			u64 v = arg(&ap, wide);
			if (c == 'd' || c == 'i') {
				s64 sv = wide ? (s64)v : (s32)v;
				neg = sv < 0;
				v = neg ? (u64)0 - (u64)sv : (u64)sv;
			}
			char *q = e;
			do
				*--q = "0123456789abcdef"[v % base];
			while (v /= base);
			if (c == 'p')
				*--q = 'x', *--q = '0';
			if (neg) {
				if (pad == '0' && !left) /* the sign before the zeros */
					put(&s, '-'), width--;
				else
					*--q = '-';
			}
			p = q;
		} else {
			put(&s, c);
			continue;
		}
		long w = width - (e - p); /* padding */
		for (; !left && w > 0; w--)
			put(&s, pad);
		while (p < e)
			put(&s, *p++);
		for (; w > 0; w--)
			put(&s, ' ');
	}
	va_end(ap);
	if (size)
		buf[s.len < size ? s.len : size - 1] = 0;
	return (int)s.len;
}

int rb_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = rb_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
