/* .kconfig externs: a kernel config text's lines, and each value written by the extern's type
 * with libbpf's rules, so an object gets the same bytes under rawbpf as under libbpf. */
#include "ext.h"

const char *kconfig_get(const char *text, const char *name, size_t *len)
{
	size_t n = rb_strlen(name);
	for (const char *p = text; *p;) {
		const char *eol = rb_strchr(p, '\n');
		if (!eol)
			eol = p + rb_strlen(p);
		if ((size_t)(eol - p) > n && !rb_strncmp(p, name, n) && p[n] == '=') {
			*len = (size_t)(eol - p) - n - 1;
			return p + n + 1;
		}
		p = *eol ? eol + 1 : eol;
	}
	return NULL;
}

/* The classes of libbpf's find_kcfg_type(). */
enum { KC_BAD, KC_CHAR, KC_BOOL, KC_INT, KC_TRI, KC_STR };

int kconfig_class(struct btf *b, u32 type, bool *sign)
{
	struct btf_t t;
	u32 enc, elem, n;
	bool s;
	*sign = false;
	if (btf_resolve(b, type, &t))
		return KC_BAD;
	if (t.kind == BTFK_INT) {
		__builtin_memcpy(&enc, t.rec, 4); /* (a load, not a call) */
		*sign = enc >> 24 & 1;
		if (enc >> 24 & 4) /* BTF_INT_BOOL */
			return t.size_or_type == 1 ? KC_BOOL : KC_BAD;
		if (t.size_or_type == 1)
			return KC_CHAR;
		return t.size_or_type == 2 || t.size_or_type == 4 || t.size_or_type == 8 ? KC_INT : KC_BAD;
	}
	if (t.kind == BTFK_ENUM && t.size_or_type == 4 && t.name && !rb_strcmp(t.name, "libbpf_tristate"))
		return KC_TRI;
	if (t.kind == BTFK_ARRAY && !btf_array(b, &t, &elem, &n) && n && kconfig_class(b, elem, &s) == KC_CHAR)
		return KC_STR;
	return KC_BAD;
}

int kconfig_value(struct obj *o, const struct ext *x, const char *val, size_t len, u8 *out, struct err *e)
{
	bool sign;
	int c = kconfig_class(&o->btf, x->type, &sign), r = -1;
	char num[32];
	u64 v;
	const char *need = NULL;
	if (len && (*val == 'y' || *val == 'n' || *val == 'm')) {
		if (c == KC_BOOL && *val != 'm')
			*out = *val == 'y';
		else if (c == KC_TRI)
			__builtin_memcpy(out, &(u32){*val == 'y' ? 1 : *val == 'm' ? 2 : 0}, 4);
		else if (c == KC_CHAR)
			*out = (u8)*val;
		else
			need = "it takes a bool, tristate or char";
	} else if (len && *val == '"') {
		if (c != KC_STR || len < 2 || val[len - 1] != '"') {
			need = "it takes a char array";
		} else {
			len = rb_min64(len - 2, x->size - 1); /* libbpf truncates a long string too */
			memcpy(out, val + 1, len);
			out[len] = 0;
		}
	} else if (c != KC_INT && c != KC_CHAR && c != KC_BOOL) {
		need = "it takes an integer";
	} else {
		if (len < sizeof num) {
			memcpy(num, val, len);
			num[len] = 0;
			r = parse_int(num, sign, c == KC_BOOL ? 1 : x->size, &v);
		}
		if (!r && c == KC_BOOL && v > 1)
			r = -2;
		if (r)
			need = r == -1 ? "not a number" : "out of range";
		else
			memcpy(out, &v, x->size);
	}
	return need ? err_set(e, -EINVAL, "extern '%s': the kernel's value '%.*s' does not fit (%s)", x->name,
			      (int)rb_min64(len, 64), val, need) : 0;
}
