/* Value formatting through BTF. Bounded everywhere: a hostile BTF can make output odd, never
 * read past the data it describes. */
#include "print.h"

void sb_add(struct strbuf *s, const char *fmt, ...)
{
	va_list ap;
	if (s->len + 1 >= s->size)
		return;
	va_start(ap, fmt);
	int n = rb_vsnprintf(s->buf + s->len, s->size - s->len, fmt, ap);
	va_end(ap);
	s->len += (size_t)n < s->size - s->len ? (size_t)n : s->size - s->len - 1;
}

void sb_json_str(struct strbuf *s, const char *str, size_t n)
{
	sb_add(s, "\"");
	for (size_t i = 0; i < n; i++) {
		u8 c = (u8)str[i];
		sb_add(s, c < 0x20 || c >= 0x7f ? "\\u%04x" : c == '"' || c == '\\' ? "\\%c" : "%c", c);
	}
	sb_add(s, "\"");
}

static void hex(struct strbuf *s, const u8 *d, u32 n)
{
	sb_add(s, s->json ? "\"0x" : "0x");
	for (u32 i = 0; i < n; i++)
		sb_add(s, "%02x", d[i]);
	sb_add(s, s->json ? "\"" : "");
}

static u64 load_le(const u8 *d, u32 n)
{
	u64 v = 0;
	for (u32 i = n; i-- > 0;)
		v = v << 8 | d[i];
	return v;
}

static void print_depth(struct strbuf *s, struct btf *b, u32 id, const u8 *d, u32 size, int depth)
{
	struct btf_t t;
	u64 tsize;
	const char *sep = s->json ? "," : ", ";
	if (!b || !id || depth > 8 || btf_resolve(b, id, &t) || btf_size(b, id, &tsize)) {
		hex(s, d, size);
		return;
	}
	u32 have = tsize < size ? (u32)tsize : size; /* a short record: what it holds */
	if (have < tsize && t.kind != BTFK_ARRAY && t.kind != BTFK_STRUCT && t.kind != BTFK_UNION) {
		hex(s, d, have);
		return;
	}
	switch (t.kind) {
	case BTFK_INT: {
		bool sgn;
		u32 bits;
		btf_int(b, &t, &sgn, &bits);
		u32 n = t.size_or_type > 8 ? 8 : t.size_or_type;
		u64 v = load_le(d, n);
		if (!s->json && t.name && !rb_strcmp(t.name, "char") && n == 1 && v >= 32 && v < 127)
			sb_add(s, "'%c'", (int)v);
		else if (sgn && n && n < 8 && (v >> (n * 8 - 1)) & 1)
			sb_add(s, "%lld", (long long)(v | ~0ULL << (n * 8)));
		else if (sgn)
			sb_add(s, "%lld", (long long)v);
		else
			sb_add(s, "%llu", (unsigned long long)v);
		return;
	}
	case BTFK_ENUM: {
		s64 v = (s32)load_le(d, t.size_or_type > 4 ? 4 : t.size_or_type);
		for (u32 i = 0; i < t.vlen; i++) {
			const char *name;
			s64 ev;
			if (!btf_enum(b, &t, i, &name, &ev) && ev == v) {
				sb_add(s, s->json ? "\"%s\"" : "%s", name);
				return;
			}
		}
		sb_add(s, "%lld", (long long)v);
		return;
	}
	case BTFK_PTR:
		sb_add(s, s->json ? "\"0x%llx\"" : "0x%llx", (unsigned long long)load_le(d, 8));
		return;
	case BTFK_ARRAY: {
		u32 elem, n;
		struct btf_t et;
		u64 esize;
		btf_array(b, &t, &elem, &n);
		if (btf_resolve(b, elem, &et) || btf_size(b, elem, &esize) || !esize) {
			hex(s, d, have);
			return;
		}
		if (n > have / esize)
			n = (u32)(have / esize);
		if (et.kind == BTFK_INT && esize == 1) { /* char[N]: a string up to its NUL */
			u32 len = 0;
			while (len < n && d[len])
				len++;
			if (s->json)
				sb_json_str(s, (const char *)d, len);
			for (u32 i = 0; i < len && !s->json; i++)
				sb_add(s, "%c", d[i] >= 32 && d[i] < 127 ? d[i] : '?');
			return;
		}
		u32 max = s->json ? 1024 : 64;
		sb_add(s, "[");
		for (u32 i = 0; i < n && i < max; i++) {
			sb_add(s, "%s", i ? sep : "");
			print_depth(s, b, elem, d + (u64)i * esize, (u32)esize, depth + 1);
		}
		sb_add(s, n > max ? ", ...]" : "]");
		return;
	}
	case BTFK_STRUCT:
	case BTFK_UNION:
		sb_add(s, "{");
		for (u32 i = 0, k = 0; i < t.vlen; i++) {
			const char *name;
			u32 mt, bit;
			u64 msize;
			if (btf_member(b, &t, i, &name, &mt, &bit) || bit % 8 || btf_size(b, mt, &msize) ||
			    bit / 8 + msize > tsize || bit / 8 >= have)
				continue; /* bitfields, oddities and what a short record lacks are left out */
			sb_add(s, s->json ? "%s\"%s\":" : "%s%s=", k++ ? (s->json ? "," : " ") : "", name[0] ? name : "?");
			print_depth(s, b, mt, d + bit / 8, (u32)rb_min64(msize, have - bit / 8), depth + 1);
		}
		sb_add(s, "}");
		return;
	default:
		hex(s, d, have);
	}
}

void print_value(struct strbuf *s, struct btf *b, u32 id, const u8 *data, u32 size)
{
	print_depth(s, b, id, data, size, 0);
}

void print_entry(struct strbuf *s, struct btf *b, u32 id, const u8 *data, u32 size)
{
	if ((!b || !id) && (size == 1 || size == 2 || size == 4 || size == 8))
		sb_add(s, "%llu", (unsigned long long)load_le(data, size));
	else
		print_depth(s, b, id, data, size, 0);
}

/* {name}: the record's field of that name, or the whole key/value. */
static bool field(struct strbuf *s, struct btf *b, u32 id, const u8 *d, u32 size, const char *name, size_t nlen)
{
	struct btf_t t;
	if (!b || !id || btf_resolve(b, id, &t) || (t.kind != BTFK_STRUCT && t.kind != BTFK_UNION))
		return false;
	for (u32 i = 0; i < t.vlen; i++) {
		const char *mname;
		u32 mt, bit;
		u64 msize;
		if (btf_member(b, &t, i, &mname, &mt, &bit) || rb_strlen(mname) != nlen || rb_strncmp(mname, name, nlen))
			continue;
		if (bit % 8 || btf_size(b, mt, &msize) || bit / 8 + msize > size)
			return false;
		/* Inside a format, a struct field prints bare ("bash", not {..}). */
		print_value(s, b, mt, d + bit / 8, (u32)msize);
		return true;
	}
	return false;
}

void print_format(struct strbuf *s, const char *fmt, struct btf *b, u32 key_id, const u8 *key, u32 key_size,
		  u32 val_id, const u8 *val, u32 val_size)
{
	for (const char *p = fmt; *p; p++) {
		const char *end = *p == '{' ? rb_strchr(p, '}') : NULL;
		if (!end) {
			sb_add(s, "%c", *p);
			continue;
		}
		const char *name = p + 1;
		size_t n = (size_t)(end - name);
		if (key && n == 3 && !rb_strncmp(name, "key", 3))
			print_entry(s, b, key_id, key, key_size);
		else if (key && n == 5 && !rb_strncmp(name, "value", 5))
			print_entry(s, b, val_id, val, val_size);
		else if (n == 5 && !rb_strncmp(name, "value", 5))
			print_value(s, b, val_id, val, val_size);
		else if (!field(s, b, val_id, val, val_size, name, n))
			sb_add(s, "%.*s", (int)(end - p + 1), p);
		p = end;
	}
}
