/* A small printf-style formatter: only the conversions rawbpf uses, always bounded. */
#include "rt.h"

struct sink { char *buf; size_t size, len; };

static void put(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

static void put_padded(struct sink *s, const char *p, size_t n, int width, bool left, char pad)
{
	size_t w = width > 0 ? (size_t)width : 0;
	if (!left && pad == '0' && n && (*p == '-') && w > n) {
		put(s, *p++), n--, w--; /* sign before zeros */
	}
	if (!left)
		for (; w > n; w--)
			put(s, pad);
	for (size_t i = 0; i < n; i++)
		put(s, p[i]);
	if (left)
		for (; w > n; w--)
			put(s, ' ');
}

int rb_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = {buf, size, 0};
	char num[24];
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&s, *fmt);
			continue;
		}
		fmt++;
		bool left = false;
		char pad = ' ';
		int width = 0, prec = -1, lng = 0;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		if (*fmt == '*')
			width = va_arg(ap, int), fmt++;
		else
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*')
				prec = va_arg(ap, int), fmt++;
			else
				for (prec = 0; *fmt >= '0' && *fmt <= '9'; fmt++)
					prec = prec * 10 + (*fmt - '0');
		}
		while (*fmt == 'l' || *fmt == 'z')
			lng++, fmt++;
		char c = *fmt;
		if (!c)
			break;
		if (c == 's') {
			const char *p = va_arg(ap, const char *);
			if (!p)
				p = "(null)";
			size_t n = prec >= 0 ? rb_strnlen(p, (size_t)prec) : rb_strlen(p);
			put_padded(&s, p, n, width, left, ' ');
		} else if (c == 'c') {
			char ch = (char)va_arg(ap, int);
			put_padded(&s, &ch, 1, width, left, ' ');
		} else if (c == 'd' || c == 'i' || c == 'u' || c == 'x' || c == 'p') {
			u64 v;
			bool neg = false;
			unsigned base = (c == 'x' || c == 'p') ? 16 : 10;
			if (c == 'p') {
				v = (u64)(uintptr_t)va_arg(ap, void *);
			} else if (c == 'd' || c == 'i') {
				s64 sv = lng ? va_arg(ap, long long) : va_arg(ap, int);
				neg = sv < 0;
				v = neg ? (u64)0 - (u64)sv : (u64)sv;
			} else {
				v = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
			}
			char *e = num + sizeof num, *p = e;
			do {
				*--p = "0123456789abcdef"[v % base];
				v /= base;
			} while (v);
			if (c == 'p')
				*--p = 'x', *--p = '0';
			if (neg)
				*--p = '-';
			put_padded(&s, p, (size_t)(e - p), width, left, left ? ' ' : pad);
		} else {
			put(&s, c);
		}
	}
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
