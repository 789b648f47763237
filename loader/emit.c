/* The report emitter (emit.h): text and JSON from one format per record. JSON strings are
 * escaped; bytes outside printable ASCII become \u00XX, so the output is valid JSON whatever
 * the object's names hold. */
#include "emit.h"
#include "io.h"
#include "print.h"

static void put(const char *s) { rb_puts_n(s, rb_strlen(s)); }

static void sep(struct emit *w)
{
	if (w->items[w->depth])
		put(",");
	w->items[w->depth] = true;
}

static void key(struct emit *w, const char *k, size_t n)
{
	sep(w);
	if (k && !w->array[w->depth]) {
		put("\"");
		rb_puts_n(k, n);
		put("\":");
	}
}

void em_open(struct emit *w, const char *k, char brace)
{
	if (!w->json)
		return;
	if (w->depth || w->items[0])
		key(w, k, k ? rb_strlen(k) : 0);
	char b[2] = {brace, 0};
	put(b);
	w->depth++;
	w->array[w->depth] = brace == '[';
	w->items[w->depth] = false;
}

void em_close(struct emit *w)
{
	if (!w->json)
		return;
	put(w->array[w->depth] ? "]" : "}");
	if (--w->depth == 0)
		put("\n");
}

static void json_str(const char *s)
{
	char b[2048];
	struct strbuf sb = {b, sizeof b, 0, true};
	sb_json_str(&sb, s, rb_strlen(s));
	rb_puts_n(b, sb.len);
}

void em_rec(struct emit *w, const char *fmt, ...)
{
	char line[1024], spec[16], num[32];
	size_t len = 0;
	bool wrap = w->json && w->array[w->depth], open = false;
	va_list ap;
	va_start(ap, fmt);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%' || p[1] == '%') {
			if (len < sizeof line - 1)
				line[len++] = *p;
			p += *p == '%';
			continue;
		}
		/* %[flags][width][.prec][{key}][l|ll]conv */
		size_t sn = 0, kn = 0;
		const char *k = NULL;
		int lng = 0;
		spec[sn++] = *p++;
		while (rb_strchr("-0123456789.", *p) && sn < 8)
			spec[sn++] = *p++;
		if (*p == '{') {
			k = ++p;
			while (*p && *p != '}')
				p++;
			kn = (size_t)(p - k);
			p += *p == '}';
		}
		while (*p == 'l')
			lng++, p++;
		char c = *p;
		u64 v = 0;
		const char *s = NULL;
		if (c == 's' || c == 'n')
			s = va_arg(ap, const char *);
		else if (c == 'd')
			v = (u64)(lng ? va_arg(ap, long long) : va_arg(ap, int));
		else if (lng)
			v = va_arg(ap, unsigned long long);
		else
			v = va_arg(ap, unsigned);
		if (!c)
			break;
		if (!w->json) {
			if (c == 'b' || (sn > 2 && spec[sn - 2] == '.' && spec[sn - 1] == '0'))
				continue; /* JSON only */
			if (!s)
				spec[sn++] = 'l', spec[sn++] = 'l';
			spec[sn++] = s ? 's' : c;
			spec[sn] = 0;
			if (len < sizeof line - 1)
				len += (size_t)(s ? rb_snprintf(line + len, sizeof line - len, spec, s)
					      : rb_snprintf(line + len, sizeof line - len, spec, v));
			if (len > sizeof line - 1)
				len = sizeof line - 1;
			continue;
		}
		if (!k)
			continue;
		if (wrap && !open) {
			sep(w);
			put("{");
			w->depth++, w->array[w->depth] = w->items[w->depth] = false;
			open = true;
		}
		key(w, k, kn);
		if (s) {
			if (c == 'n')
				put(s);
			else
				json_str(s);
			continue;
		}
		rb_snprintf(num, sizeof num, c == 'd' ? "%lld" : "%llu", (unsigned long long)v);
		put(c == 'b' ? (v ? "true" : "false") : num);
	}
	va_end(ap);
	if (open)
		em_close(w);
	if (!w->json)
		rb_puts_n(line, len);
}
