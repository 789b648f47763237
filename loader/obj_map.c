/* Maps: BTF-defined (.maps), legacy ("maps"), global data sections as single-entry arrays, and
 * the .rawbpf section's print formats and record types. */
#include "obj_int.h"

const char *map_type_name(u32 t)
{
	/* By enum bpf_map_type, 0 to BPF_MAP_TYPE_RINGBUF (27); an empty one is "other". */
	static const char names[] = "\0hash\0array\0prog_array\0perf_event_array\0percpu_hash\0percpu_array\0"
				    "stack_trace\0\0lru_hash\0lru_percpu_hash\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0ringbuf";
	const char *n = t <= BPF_MAP_TYPE_RINGBUF ? rb_nth(names, t) : "";
	return *n ? n : "other";
}

void set_kname(struct map *m, const char *prefix, const char *name)
{
	size_t n = 0;
	for (; prefix && *prefix && n < 8; prefix++)
		m->kname[n++] = *prefix;
	for (; *name && n < sizeof m->kname - 1; name++)
		m->kname[n++] = *name;
	m->kname[n] = 0;
	for (size_t i = 0; i < n; i++) { /* the kernel takes [A-Za-z0-9_.] */
		char ch = m->kname[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.'))
			m->kname[i] = '_';
	}
}

/* NULL, with the error set, if there is no room (the array has one per symbol and section). */
static struct map *new_map(struct ctx *c, const char *name, unsigned sec, u64 off)
{
	struct obj *o = c->o;
	if (o->nmaps == c->cap_maps) {
		FAIL(o, "too many maps");
		return NULL;
	}
	struct map *m = &o->maps[o->nmaps++];
	m->name = name;
	m->sec_idx = sec;
	m->off = off;
	m->fd = -1;
	set_kname(m, NULL, name);
	return m;
}

/* Symbol i, if it names something in section sec (not the section itself). */
__attribute__((noinline)) static bool sym_in(struct elf *e, unsigned i, unsigned sec, struct elf_sym *sym)
{
	return !elf_symbol(e, i, sym) && sym->shndx == sec && sym->name[0] && sym->type != STT_SECTION;
}

/* Legacy maps: "maps" holds one struct bpf_map_def (5 u32 or more) per symbol. */
int legacy_maps(struct ctx *c, const struct elf_sec *s)
{
	struct obj *o = c->o;
	struct elf *e = &o->elf;
	struct elf_sym sym;
	unsigned n = 0;
	for (unsigned i = 1; i < elf_nsyms(e); i++)
		n += sym_in(e, i, s->idx, &sym);
	if (!n)
		return 0;
	u64 def = s->size / n;
	if (def < 20 || def % 4 || !s->data)
		return FAIL(o, "section 'maps': %u maps in %llu bytes: not a whole number of 20-byte definitions", n,
			    (unsigned long long)s->size);
	for (unsigned i = 1; i < elf_nsyms(e); i++) {
		if (!sym_in(e, i, s->idx, &sym))
			continue;
		if (sym.value % def || sym.value > s->size - def)
			return FAIL(o, "map '%s': offset %llu in section 'maps' is not at a %llu-byte definition", sym.name,
				    (unsigned long long)sym.value, (unsigned long long)def);
		struct map *m = new_map(c, sym.name, s->idx, sym.value);
		if (!m)
			return RB_EOBJ;
		u32 f[5];
		memcpy(f, s->data + sym.value, sizeof f);
		m->def = MAP_DEF_LEGACY;
		m->type = f[0], m->key_size = f[1], m->value_size = f[2], m->max_entries = f[3], m->flags = f[4];
		m->def_size = def;
	}
	return 0;
}

/* "__uint(name, N)" is "int (*name)[N]": N is the array's length. */
static int btf_uint(struct obj *o, u32 type, const char *field, u32 *out)
{
	struct btf *b = &o->btf;
	struct btf_t t;
	u32 elem;
	if (btf_resolve(b, type, &t) || t.kind != BTFK_PTR || btf_resolve(b, t.size_or_type, &t) ||
	    btf_array(b, &t, &elem, out))
		return FAIL(o, "field '%s' is not __uint(%s, N)%s%s", field, field, b->err.msg[0] ? ": " : "",
			    b->err.msg);
	return 0;
}

/* "__type(key, T)" is "T *key": the pointee's id and size. */
static int btf_ptr_type(struct obj *o, u32 type, const char *field, u32 *id, u32 *size)
{
	struct btf *b = &o->btf;
	struct btf_t t;
	u64 sz;
	if (btf_resolve(b, type, &t) || t.kind != BTFK_PTR || btf_size(b, t.size_or_type, &sz) || sz > 0xffffffffu)
		return FAIL(o, "field '%s' is not __type(%s, T) of a sized type T%s%s", field, field,
			    b->err.msg[0] ? ": " : "", b->err.msg);
	*id = t.size_or_type;
	*size = (u32)sz;
	return 0;
}

/* One BTF-defined map: a variable of the .maps DATASEC whose struct members describe it. (A
 * message: the caller puts "map 'NAME': " before it.) */
static int btf_map(struct ctx *c, struct map *m, u32 var_type)
{
	struct obj *o = c->o;
	struct btf *b = &o->btf;
	struct btf_t t;
	if (btf_resolve(b, var_type, &t) || t.kind != BTFK_STRUCT)
		return FAIL(o, "its BTF type is not a struct%s%s", b->err.msg[0] ? ": " : "", b->err.msg);
	m->def = MAP_DEF_BTF;
	for (u32 i = 0; i < t.vlen; i++) {
		const char *name;
		u32 type, bit;
		if (btf_member(b, &t, i, &name, &type, &bit))
			return FAIL(o, "%s", b->err.msg);
		/* each member: an __uint() into a field of m (none: accepted and ignored), an
		 * __type() into a BTF id and a size, or __array(values, ...) */
		static const struct { char name[12]; u8 ptr; u8 off, size; } fields[] = {
			{"type", 0, offsetof(struct map, type), 0}, {"max_entries", 0, offsetof(struct map, max_entries), 0},
			{"map_flags", 0, offsetof(struct map, flags), 0}, {"key_size", 0, offsetof(struct map, key_size), 0},
			{"value_size", 0, offsetof(struct map, value_size), 0}, {"pinning", 0, 0, 0}, {"numa_node", 0, 0, 0},
			{"key", 1, offsetof(struct map, btf_key), offsetof(struct map, key_size)},
			{"value", 1, offsetof(struct map, btf_value), offsetof(struct map, value_size)}, {"values", 2, 0, 0}};
		unsigned f = 0;
		u32 ignored, *dst;
		while (f < ARRAY_SIZE(fields) && rb_strcmp(name, fields[f].name))
			f++;
		if (f == ARRAY_SIZE(fields))
			return FAIL(o, "unknown definition field '%s'", name);
		dst = fields[f].off ? (u32 *)((char *)m + fields[f].off) : &ignored;
		int r = 0;
		if (fields[f].ptr == 2)
			m->values_off = bit / 8;
		else if (fields[f].ptr)
			r = btf_ptr_type(o, type, name, dst, (u32 *)((char *)m + fields[f].size));
		else
			r = btf_uint(o, type, name, dst);
		if (r)
			return r;
	}
	if (!m->type)
		return FAIL(o, "no map type (__uint(type, ...))");
	/* Prog arrays hold program fds: 4-byte keys and values, whatever the types said. */
	if (m->type == BPF_MAP_TYPE_PROG_ARRAY || m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		if (!m->key_size)
			m->key_size = 4;
		if (!m->value_size)
			m->value_size = 4;
	}
	return 0;
}

int btf_maps(struct ctx *c, const struct elf_sec *s)
{
	struct obj *o = c->o;
	struct elf *e = &o->elf;
	struct elf_sym sym;
	struct btf_t ds, var;
	if (!o->has_btf)
		return FAIL(o, "section '.maps' describes its maps in BTF, and the object has none (compile with -g)");
	u32 dsid = btf_find(&o->btf, ".maps", BTFK_DATASEC);
	if (!dsid || btf_type(&o->btf, dsid, &ds))
		return FAIL(o, "section '.maps': no DATASEC '.maps' in the object's BTF");
	for (unsigned i = 1; i < elf_nsyms(e); i++) {
		if (!sym_in(e, i, s->idx, &sym))
			continue;
		u32 vt = 0;
		for (u32 k = 0; k < ds.vlen && !vt; k++) {
			u32 v, off, size;
			if (btf_datasec_var(&o->btf, &ds, k, &v, &off, &size) || btf_type(&o->btf, v, &var))
				return FAIL(o, "section '.maps': %s", o->btf.err.msg);
			if (var.kind == BTFK_VAR && var.name && !rb_strcmp(var.name, sym.name))
				vt = var.size_or_type;
		}
		if (!vt)
			return FAIL(o, "map '%s': not described in the BTF of '.maps'", sym.name);
		if (sym.value > s->size || sym.size > s->size - sym.value)
			return FAIL(o, "%s '%s': offset %llu + size %llu past the end of section '%s' (%llu bytes)", "map",
				    sym.name, (unsigned long long)sym.value, (unsigned long long)sym.size, s->name,
				    (unsigned long long)s->size);
		struct map *m = new_map(c, sym.name, s->idx, sym.value);
		if (!m)
			return RB_EOBJ;
		m->def_size = sym.size;
		if (btf_map(c, m, vt))
			return err_ctx(&o->err, "map '%s'", m->name);
	}
	return 0;
}

/* Global data: one single-entry array map per referenced section, created on first use. */
struct map *data_map(struct ctx *c, const struct elf_sec *s)
{
	struct obj *o = c->o;
	for (unsigned i = 0; i < o->nmaps; i++)
		if (o->maps[i].def == MAP_DEF_DATA && o->maps[i].sec_idx == s->idx)
			return &o->maps[i];
	struct map *m = new_map(c, s->name, s->idx, 0);
	if (!m)
		return NULL;
	m->def = MAP_DEF_DATA;
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = (u32)s->size;
	m->max_entries = 1;
	m->init = s->type == SHT_NOBITS ? NULL : s->data;
	if (rb_startswith(s->name, ".rodata"))
		m->flags = BPF_F_RDONLY_PROG; /* and frozen once filled */
	set_kname(m, o->name, s->name);
	if (o->has_btf)
		m->btf_value = btf_find(&o->btf, s->name, BTFK_DATASEC);
	return m;
}

/* The .rawbpf section: rawbpf_fmt_<map> (a print format) and rawbpf_record_<map> (whose BTF
 * type is the record type of a perf or ring buffer). Never loaded into the kernel. */
int rawbpf_section(struct ctx *c, const struct elf_sec *s)
{
	struct obj *o = c->o;
	struct elf *e = &o->elf;
	struct elf_sym sym;
	for (unsigned i = 1; i < elf_nsyms(e); i++) {
		if (!sym_in(e, i, s->idx, &sym))
			continue;
		bool fmt = rb_startswith(sym.name, "rawbpf_fmt_"), rec = rb_startswith(sym.name, "rawbpf_record_");
		const char *mapname = sym.name + (fmt ? 11 : 14);
		struct map *m = NULL;
		if (!fmt && !rec)
			continue;
		for (unsigned k = 0; k < o->nmaps; k++)
			if (o->maps[k].def != MAP_DEF_DATA && !rb_strcmp(o->maps[k].name, mapname))
				m = &o->maps[k];
		if (!m)
			return FAIL(o, "section '.rawbpf': '%s' names no map '%s'", sym.name, mapname);
		if (fmt) {
			if (!s->data || sym.value >= s->size ||
			    rb_strnlen((const char *)s->data + sym.value, s->size - sym.value) == s->size - sym.value)
				return FAIL(o, "section '.rawbpf': '%s' is not a NUL-terminated string", sym.name);
			m->fmt = (const char *)s->data + sym.value;
		} else if (o->has_btf) {
			u32 v = btf_find(&o->btf, sym.name, BTFK_VAR);
			struct btf_t t;
			if (v && !btf_type(&o->btf, v, &t))
				m->record = t.size_or_type;
		}
	}
	return 0;
}
