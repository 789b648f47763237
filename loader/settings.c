/* --set NAME=VALUE: a global variable of .rodata, .data or .bss written before its map is
 * created (how libbpf skeletons set "const volatile" filters), typed through the object's BTF;
 * and --set MAP.max_entries=N / MAP.value_size=N for maps the object leaves to user space. */
#include "ext.h"
#include <linux/elf.h>

int parse_int(const char *s, bool sign, u32 size, u64 *out)
{
	bool neg = *s == '-';
	u64 v, max = size >= 8 ? ~0ull : (1ull << size * 8) - 1;
	const char *end = rb_parse_u64(s + neg, &v);
	if (!end || *end)
		return -1;
	if (sign ? v > (max >> 1) + neg : neg ? v != 0 : v > max)
		return -2;
	*out = neg ? (0 - v) & max : v;
	return 0;
}

/* The variable's VAR type and its bytes in its data map; NULL, or why not (what: its list). */
static const char *find_var(struct obj *o, const char *name, u32 *type, u8 **bytes, u32 *room, char *what)
{
	struct btf *b = &o->btf;
	struct btf_t ds, var;
	struct elf_sym sym;
	struct elf_sec s;
	size_t n = 0;
	const char *sec = NULL;
	for (u32 id = 1; o->has_btf && id <= b->ntypes; id++) {
		if (btf_type(b, id, &ds) || ds.kind != BTFK_DATASEC || !ds.name ||
		    (!rb_startswith(ds.name, ".rodata") && !rb_startswith(ds.name, ".data") && !rb_startswith(ds.name, ".bss")))
			continue;
		for (u32 k = 0; k < ds.vlen; k++) {
			u32 v, voff, vsize;
			if (btf_datasec_var(b, &ds, k, &v, &voff, &vsize) || btf_type(b, v, &var) || !var.name ||
			    var.kind != BTFK_VAR)
				continue;
			if (!rb_strcmp(var.name, name))
				sec = ds.name, *type = var.size_or_type;
			else if (n < 80)
				n += (size_t)rb_snprintf(what + n, 96 - n, "%s%s", n ? ", " : "; it has ", var.name);
		}
	}
	if (!sec)
		return "no global variable of that name in .rodata, .data or .bss";
	for (unsigned i = 1; i < elf_nsyms(&o->elf); i++) {
		if (elf_symbol(&o->elf, i, &sym) || sym.type != STT_OBJECT || rb_strcmp(sym.name, name) ||
		    elf_section(&o->elf, sym.shndx, &s) || rb_strcmp(s.name, sec))
			continue;
		for (unsigned k = 0; k < o->nmaps; k++) {
			struct map *m = &o->maps[k];
			if (m->def != MAP_DEF_DATA || m->sec_idx != sym.shndx || sym.value >= m->value_size)
				continue;
			if (!m->data) { /* a private copy of the initial bytes (none for .bss) */
				m->data = rb_zalloc(m->value_size);
				if (m->init)
					memcpy(m->data, m->init, m->value_size);
				m->init = m->data;
			}
			*bytes = m->data + sym.value;
			*room = m->value_size - (u32)sym.value;
			return NULL;
		}
		return "no program uses its section: setting it would change nothing";
	}
	return "no symbol for it";
}

/* Writes val into out by the BTF type; NULL, or why not (what: the type, described). */
static const char *put(struct obj *o, u32 type, const char *val, u8 *out, u32 room, char *what)
{
	struct btf *b = &o->btf;
	struct btf_t t, el;
	u32 elem, nelem, enc = 0;
	u64 v = 0;
	int r = -1;
	if (btf_resolve(b, type, &t))
		return b->err.msg;
	u32 size = t.size_or_type;
	bool sign = t.kflag;
	const char *kind = t.kind == BTFK_INT ? "" : "enum ";
	if (t.kind == BTFK_ARRAY && !btf_array(b, &t, &elem, &nelem) && !btf_resolve(b, elem, &el) &&
	    el.kind == BTFK_INT && el.size_or_type == 1 && nelem <= room) {
		size_t len = rb_strlen(val);
		rb_snprintf(what, 96, "char[%u], a string of at most %u bytes", nelem, nelem - 1);
		if (len >= nelem)
			return "too long";
		memset(out, 0, nelem);
		memcpy(out, val, len);
		return NULL;
	}
	if ((t.kind != BTFK_INT && t.kind != BTFK_ENUM && t.kind != BTFK_ENUM64) || size > 8 || size & (size - 1)) {
		rb_snprintf(what, 96, "of BTF kind %u", t.kind);
		return "--set takes integers, bools, enums and char arrays";
	}
	if (t.kind == BTFK_INT) {
		__builtin_memcpy(&enc, t.rec, 4); /* (a load, not a call) */
		sign = enc >> 24 & 1;
	}
	u64 max = size >= 8 ? ~0ull : (1ull << size * 8) - 1;
	rb_snprintf(what, 96, "%s%s, %s %u-byte integer (%lld to %llu)", kind, t.name ? t.name : "", sign ? "a signed" : "an unsigned",
		    size, sign ? -(long long)(max >> 1) - 1 : 0LL, (unsigned long long)(sign ? max >> 1 : max));
	if (enc >> 24 & 4) { /* bool */
		__builtin_memcpy(what, "a bool", 7);
		r = !rb_strcmp(val, "true") || !rb_strcmp(val, "1") ? (v = 1, 0) : !rb_strcmp(val, "false") || !rb_strcmp(val, "0") ? 0 : -3;
	}
	for (u32 i = 0; t.kind == BTFK_ENUM && i < t.vlen && r; i++) {
		const char *en;
		s64 ev;
		if (!btf_enum(b, &t, i, &en, &ev) && !rb_strcmp(en, val))
			v = (u64)ev & max, r = 0;
	}
	if (r == -1)
		r = parse_int(val, sign, size, &v);
	if (r)
		return r == -2 ? "out of range" : r == -3 ? "expected true, false, 1 or 0" :
		       t.kind != BTFK_INT ? "neither one of its names nor a number" : "not a number";
	memcpy(out, &v, rb_min64(size, room));
	return size > room ? "past the end of its section" : NULL;
}

int obj_set(struct obj *o, const char *arg, struct err *e)
{
	char name[64], what[176];
	const char *eq = rb_strchr(arg, '='), *why = "expected NAME=VALUE, MAP.max_entries=N or MAP.value_size=N";
	size_t n = eq ? (size_t)(eq - arg) : 0;
	u32 type, room;
	u8 *bytes;
	what[0] = 0;
	if (n && n < sizeof name) {
		memcpy(name, arg, n);
		name[n] = 0;
		char *dot = rb_strchr(name, '.');
		if (dot && (!rb_strcmp(dot, ".max_entries") || !rb_strcmp(dot, ".value_size"))) {
			u64 v;
			*dot = 0;
			why = "no map of that name";
			for (unsigned i = 0; i < o->nmaps; i++) {
				struct map *m = &o->maps[i];
				if (m->def == MAP_DEF_DATA || rb_strcmp(m->name, name))
					continue;
				why = "expected a number from 1 to 4294967295";
				if (parse_int(eq + 1, false, 4, &v) || !v)
					break;
				if (dot[1] == 'm')
					m->max_entries = (u32)v;
				else if (m->value_size != v) /* its BTF types no longer have the size */
					m->value_size = (u32)v, m->btf_key = m->btf_value = 0;
				return 0;
			}
		} else if (!(why = find_var(o, name, &type, &bytes, &room, what))) {
			/* (put describes the type after this; what has room for 96 bytes more) */
			if (!(why = put(o, type, eq + 1, bytes, room, what + rb_snprintf(what, 80, "; '%s' is ", name))))
				return 0;
		}
	}
	return err_set(e, -22, "--set %s: %s%s", arg, why, what);
}

int obj_check_sizes(struct obj *o, struct err *e)
{
	for (unsigned i = 0; i < o->nmaps; i++) {
		struct map *m = &o->maps[i];
		bool fds = m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
		const char *f = !m->max_entries && !fds ? "max_entries" :
				!m->value_size && !fds && m->type != BPF_MAP_TYPE_RINGBUF ? "value_size" : NULL;
		if (f)
			return err_set(e, -22, "map '%s': %s is 0 (the object leaves it to user space): give it with "
					       "--set %s.%s=N", m->name, f, m->name, f);
	}
	return 0;
}
