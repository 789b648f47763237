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

/* An integer of nbits at bit offset off of d (little-endian, within n bytes), sign-extended if
 * sgn; false if it does not fit in 64 bits. */
static bool bits_at(const u8 *d, u32 n, u32 off, u32 nbits, bool sgn, u64 *v)
{
	if (!nbits || nbits > 64 || off / 8 >= n)
		return false;
	u32 first = off / 8, shift = off % 8, len = (shift + nbits + 7) / 8;
	if (len > 8 || first + len > n)
		return false;
	u64 x = load_le(d + first, len) >> shift;
	if (nbits < 64) {
		x &= ~0ULL >> (64 - nbits);
		if (sgn && (x >> (nbits - 1)) & 1)
			x |= ~0ULL << nbits;
	}
	*v = x;
	return true;
}

/* An IEEE float of 4 or 8 bytes (its bits in x) as %g does: 6 significant digits, trailing zeros
 * dropped. In integers only, so the loader needs no floating point (no SSE on x86_64): the value
 * is f * 2^(b - 63) with f's top bit set, scaled by 10 into [1, 10) with 64 bits kept each step. */
static void print_float(struct strbuf *s, u64 x, u32 size)
{
	int mb = size == 8 ? 52 : 23, emax = size == 8 ? 2047 : 255, ex = (int)(x >> mb) & emax, e = 0;
	u64 f = x & ((1ULL << mb) - 1);
	if (ex == emax) {
		sb_add(s, s->json ? "\"%s\"" : "%s", f ? "nan" : x >> (mb + (size == 8 ? 11 : 8)) & 1 ? "-inf" : "inf");
		return;
	}
	if (x >> (size * 8 - 1) & 1)
		sb_add(s, "-");
	f |= ex ? 1ULL << mb : 0; /* the implicit bit, but for subnormals */
	int b = (ex ? ex : 1) - emax / 2 - mb + 63;
	if (f) {
		while (!(f >> 63))
			f <<= 1, b--;
		for (; b > 3 || (b == 3 && f >= 0xA000000000000000ULL); e++) /* >= 10: / 10 */
			for (f /= 10; !(f >> 63);)
				f <<= 1, b--;
		for (; b < 0; e--) /* < 1: * 10 (as * 0.625 * 16) */
			for (f = (f >> 1) + (f >> 3), b += 4; !(f >> 63);)
				f <<= 1, b--;
	}
	/* 6 digits, d.ddddd: f * 2^(b - 63) * 10^5, rounded to nearest, a tie to even as printf does
	 * (ties are exact in the float's bits; here they are within the scaling's error of one) */
	int sh = 31 - b; /* th = the product >> 32 (81 bits: no u128 here, which would need libgcc) */
	u64 th = (f >> 32) * 100000 + ((f & 0xffffffff) * 100000 >> 32), m = th >> sh, rem = th & ((1ULL << sh) - 1),
	    half = 1ULL << (sh - 1), eps = 1ULL << (sh - 26);
	m += rem + eps > half && rem < half + eps ? m & 1 : rem >= half;
	if (m >= 1000000)
		m /= 10, e++;
	char dig[8];
	for (int i = 5; i >= 0; i--, m /= 10)
		dig[i] = (char)('0' + m % 10);
	int nd = 6;
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	if (e < -4 || e >= 6) {
		sb_add(s, "%c%s%.*se%c%02d", dig[0], nd > 1 ? "." : "", nd - 1, dig + 1, e < 0 ? '-' : '+', e < 0 ? -e : e);
		return;
	}
	for (int p = e > 0 ? e : 0; p >= 0 || p > e - nd; p--) /* digit positions, 10^p */
		sb_add(s, p == -1 ? ".%c" : "%c", p <= e && e - p < nd ? dig[e - p] : '0');
}

static void print_depth(struct strbuf *s, struct btf *b, u32 id, const u8 *d, u32 size, int depth);
static bool in_stack; /* printing a member named *stack*: an array of u64 in it is a stack */

/* An integer, an enum or a bitfield of one, nbits at bit offset off of the n bytes at d. */
static bool print_int(struct strbuf *s, struct btf *b, const struct btf_t *t, const u8 *d, u32 n, u32 off, u32 nbits)
{
	bool sgn = false;
	u32 ibits = 0;
	u64 v;
	if (t->kind == BTFK_INT) {
		btf_int(b, t, &sgn, &ibits);
		off += btf_int_offset(b, t);
		if (!nbits)
			nbits = ibits;
	} else {
		sgn = t->kflag; /* ENUM, ENUM64: signed if kflag */
		if (!nbits)
			nbits = t->size_or_type * 8;
	}
	if (!bits_at(d, n, off, nbits, sgn, &v))
		return false;
	if (t->kind != BTFK_INT) {
		for (u32 i = 0; i < t->vlen; i++) {
			const char *name;
			s64 ev;
			if (!btf_enum(b, t, i, &name, &ev) && (nbits == 64 || sgn ? (u64)ev == v : ((u64)ev & ~(~0ULL << nbits)) == v)) {
				sb_add(s, s->json ? "\"%s\"" : "%s", name);
				return true;
			}
		}
	} else if (!s->json && t->name && !rb_strcmp(t->name, "char") && nbits == 8 && v >= 32 && v < 127) {
		sb_add(s, "'%c'", (int)v);
		return true;
	}
	sb_add(s, sgn ? "%lld" : "%llu", (unsigned long long)v);
	return true;
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
	case BTFK_INT:
	case BTFK_ENUM:
	case BTFK_ENUM64:
		if (!print_int(s, b, &t, d, (u32)tsize, 0, 0))
			hex(s, d, (u32)tsize);
		return;
	case BTFK_FLOAT:
		if (tsize == 8 || tsize == 4)
			print_float(s, load_le(d, (u32)tsize), (u32)tsize);
		else
			hex(s, d, (u32)tsize); /* half and long double: as bytes */
		return;
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
		if (in_stack && esize == 8 && et.kind == BTFK_INT && print_stack) {
			print_stack(s, d, n);
			return;
		}
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
			struct btf_t mtt;
			if (btf_member(b, &t, i, &name, &mt, &bit) || btf_size(b, mt, &msize) || btf_resolve(b, mt, &mtt))
				continue; /* oddities are left out */
			u32 nbits = btf_member_bitsize(b, &t, i);
			bool isint = mtt.kind == BTFK_INT || mtt.kind == BTFK_ENUM || mtt.kind == BTFK_ENUM64;
			bool bf = nbits || bit % 8; /* a bitfield: its bits, wherever they are in the struct */
			if (bf ? !isint || (bit + (nbits ? nbits : msize * 8) + 7) / 8 > have : bit / 8 + msize > tsize || bit / 8 >= have)
				continue; /* oddities and what a short record lacks are left out */
			sb_add(s, s->json ? "%s\"%s\":" : "%s%s=", k++ ? (s->json ? "," : " ") : "", name[0] ? name : "?");
			if (bf) {
				if (!print_int(s, b, &mtt, d, have, bit, nbits))
					sb_add(s, s->json ? "null" : "?");
				continue;
			}
			in_stack = rb_strstr(name, "stack"); /* kstack, ustack, kern_stack[]: libbpf tools' names */
			print_depth(s, b, mt, d + bit / 8, (u32)rb_min64(msize, have - bit / 8), depth + 1);
			in_stack = false;
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
		bool k = key && n == 3 && !rb_strncmp(name, "key", 3), v = n == 5 && !rb_strncmp(name, "value", 5);
		if (k || (v && key)) /* a map entry's key or value */
			print_entry(s, b, k ? key_id : val_id, k ? key : val, k ? key_size : val_size);
		else if (v)
			print_value(s, b, val_id, val, val_size);
		else if (!field(s, b, val_id, val, val_size, name, n))
			sb_add(s, "%.*s", (int)(end - p + 1), p);
		p = end;
	}
}
