/* BTF reader: validates the header, walks every type record once to index it (each record's
 * length depends on its kind and vlen), and checks ids and names as they are used. */
#include "btf.h"

#define BTF_MAGIC 0xeB9F
#define MAX_TYPES (1u << 20)

static inline __attribute__((always_inline)) u32 rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

/* Bytes after the 12-byte header of a type of this kind and vlen; -1 for an unknown kind. By kind:
 * 0 unknown, 1 + the fixed length, or PER + the length of each of vlen entries. */
#define PER 0x40
static s64 extra_len(u32 kind, u32 vlen)
{
	static const u8 len[] = {
		[BTFK_INT] = 1 + 4, [BTFK_VAR] = 1 + 4, [BTFK_DECL_TAG] = 1 + 4, [BTFK_PTR] = 1, [BTFK_FWD] = 1,
		[BTFK_TYPEDEF] = 1, [BTFK_VOLATILE] = 1, [BTFK_CONST] = 1, [BTFK_RESTRICT] = 1, [BTFK_FUNC] = 1,
		[BTFK_FLOAT] = 1, [BTFK_TYPE_TAG] = 1, [BTFK_ARRAY] = 1 + 12, [BTFK_STRUCT] = PER + 12,
		[BTFK_UNION] = PER + 12, [BTFK_DATASEC] = PER + 12, [BTFK_ENUM64] = PER + 12, [BTFK_ENUM] = PER + 8,
		[BTFK_FUNC_PROTO] = PER + 8};
	u32 v = kind < sizeof len ? len[kind] : 0;
	return !v ? -1 : v & PER ? (s64)vlen * (v - PER) : v - 1;
}

/* Split BTF continues its base's string offsets: below start_str a name is the base's. */
const char *btf_str(struct btf *b, u32 off)
{
	while (off < b->start_str)
		b = b->base;
	off -= b->start_str;
	if (off >= b->str_len)
		return NULL;
	return (const char *)b->data + b->hdr_len + b->str_off + off; /* the table ends with NUL */
}

int btf_parse(struct btf *b, const u8 *data, u64 size)
{
	return btf_parse_split(b, data, size, NULL);
}

int btf_parse_split(struct btf *b, const u8 *data, u64 size, struct btf *base)
{
	b->data = data;
	b->offs = NULL;
	b->base = base;
	b->start_id = base ? base->ntypes : 0;
	b->start_str = base ? base->start_str + base->str_len : 0;
	b->ntypes = b->start_id;
	b->err.msg[0] = 0;
	if (size < 24)
		return FAIL(b, "BTF: truncated header (%llu bytes)", (unsigned long long)size);
	if ((rd32(data) & 0xffff) != BTF_MAGIC)
		return FAIL(b, "BTF: bad magic 0x%x", rd32(data) & 0xffff);
	if (data[2] != 1)
		return FAIL(b, "BTF: unknown version %u", data[2]);
	b->size = (u32)size;
	b->hdr_len = rd32(data + 4);
	b->type_off = rd32(data + 8);
	b->type_len = rd32(data + 12);
	b->str_off = rd32(data + 16);
	b->str_len = rd32(data + 20);
	if (size > 0xffffffffu || b->hdr_len < 24 || b->hdr_len > size)
		return FAIL(b, "BTF: header length %u does not fit the section (%llu bytes)", b->hdr_len,
			    (unsigned long long)size);
	u64 body = size - b->hdr_len;
	if ((u64)b->type_off + b->type_len > body || (u64)b->str_off + b->str_len > body)
		return FAIL(b, "BTF: type (%u+%u) or string (%u+%u) section past the end (%llu bytes)", b->type_off,
			    b->type_len, b->str_off, b->str_len, (unsigned long long)body);
	if (b->type_off % 4 || b->type_len % 4)
		return FAIL(b, "BTF: type section offset %u or length %u not a multiple of 4", b->type_off,
			    b->type_len);
	/* (split BTF's strings need not start with the empty one: offset 0 is its base's) */
	if (b->str_len ? data[b->hdr_len + b->str_off + b->str_len - 1] != 0 || (!base && data[b->hdr_len + b->str_off])
		       : !base)
		return FAIL(b, "BTF: string section is not NUL-terminated or does not start with an empty string");

	/* Count, then index, the type records. */
	const u8 *types = data + b->hdr_len + b->type_off;
	for (int pass = 0; pass < 2; pass++) {
		u32 n = b->start_id;
		for (u64 off = 0; off < b->type_len;) {
			if (b->type_len - off < 12)
				return FAIL(b, "BTF: type %u truncated at offset %llu", n + 1, (unsigned long long)off);
			u32 info = rd32(types + off + 4);
			u32 kind = (info >> 24) & 0x1f, vlen = info & 0xffff;
			s64 extra = extra_len(kind, vlen);
			if (extra < 0)
				return FAIL(b, "BTF: type %u has unknown kind %u", n + 1, kind);
			if ((u64)extra > b->type_len - off - 12)
				return FAIL(b, "BTF: type %u (kind %u, %u entries) extends past the type section", n + 1, kind,
					    vlen);
			u32 name = rd32(types + off);
			if (name >= b->start_str && name - b->start_str >= b->str_len)
				return FAIL(b, "BTF: type %u: name offset %u past the string section (%u bytes)", n + 1,
					    name, b->start_str + b->str_len);
			if (++n >= MAX_TYPES)
				return FAIL(b, "BTF: more than %u types", MAX_TYPES);
			if (pass)
				b->offs[n - b->start_id] = (u32)off;
			off += 12 + (u64)extra;
		}
		if (!pass) {
			b->ntypes = n;
			b->offs = rb_alloc(((size_t)n - b->start_id + 1) * sizeof *b->offs);
		}
	}
	return 0;
}

void btf_free(struct btf *b)
{
	rb_free(b->offs);
	b->offs = NULL;
	b->ntypes = 0;
}

int btf_type(struct btf *b, u32 id, struct btf_t *t)
{
	if (id == 0 || id > b->ntypes)
		return FAIL(b, "BTF: type id %u out of range (%u types)", id, b->ntypes);
	while (id <= b->start_id) /* (a split BTF's base has ids 1..start_id: in range there too) */
		b = b->base;
	const u8 *p = b->data + b->hdr_len + b->type_off + b->offs[id - b->start_id];
	u32 info = rd32(p + 4);
	t->id = id;
	t->name = btf_str(b, rd32(p));
	t->kind = (info >> 24) & 0x1f;
	t->vlen = info & 0xffff;
	t->kflag = info >> 31;
	t->size_or_type = rd32(p + 8);
	t->rec = p + 12;
	return 0;
}

static const u8 *rec(struct btf *b, const struct btf_t *t, u64 at)
{
	return t->rec + at;
}

int btf_resolve(struct btf *b, u32 id, struct btf_t *t)
{
	for (int depth = 0; depth < 32; depth++) {
		if (!id) /* void, also behind modifiers: kind 0, as in libbpf */
			return *t = (struct btf_t){0}, 0;
		if (btf_type(b, id, t))
			return RB_EOBJ;
		if (!((1u << BTFK_TYPEDEF | 1u << BTFK_CONST | 1u << BTFK_VOLATILE | 1u << BTFK_RESTRICT | 1u << BTFK_TYPE_TAG) >>
		      t->kind & 1))
			return 0;
		id = t->size_or_type;
	}
	return FAIL(b, "BTF: type %u: modifier chain too long (a loop?)", t->id);
}

int btf_size(struct btf *b, u32 id, u64 *size)
{
	struct btf_t t;
	u64 mul = 1;
	for (int depth = 0; depth < 32; depth++) {
		if (btf_resolve(b, id, &t))
			return RB_EOBJ;
		if ((1u << BTFK_INT | 1u << BTFK_STRUCT | 1u << BTFK_UNION | 1u << BTFK_ENUM | 1u << BTFK_ENUM64 |
		     1u << BTFK_DATASEC | 1u << BTFK_FLOAT | 1u << BTFK_PTR) >> t.kind & 1) {
			*size = mul * (t.kind == BTFK_PTR ? 8 : t.size_or_type);
			return 0;
		}
		if (t.kind == BTFK_ARRAY) {
			u32 n;
			btf_array(b, &t, &id, &n);
			if ((mul *= n) > 0xffffffffu)
				return FAIL(b, "BTF: array type %u too large", t.id);
		} else if (t.kind == BTFK_VAR) {
			id = t.size_or_type;
		} else {
			return FAIL(b, "BTF: type %u (kind %u) has no size", t.id, t.kind);
		}
	}
	return FAIL(b, "BTF: type %u: nesting too deep", id);
}

int btf_member(struct btf *b, const struct btf_t *t, u32 i, const char **name, u32 *type, u32 *bit_off)
{
	if ((t->kind != BTFK_STRUCT && t->kind != BTFK_UNION) || i >= t->vlen)
		return FAIL(b, "BTF: type %u has no member %u", t->id, i);
	const u8 *m = rec(b, t, (u64)i * 12);
	*name = btf_str(b, rd32(m));
	if (!*name)
		return FAIL(b, "BTF: type %u member %u: name offset out of range", t->id, i);
	*type = rd32(m + 4);
	*bit_off = t->kflag ? rd32(m + 8) & 0xffffff : rd32(m + 8);
	return 0;
}

int btf_array(struct btf *b, const struct btf_t *t, u32 *elem, u32 *nelems)
{
	if (t->kind != BTFK_ARRAY)
		return FAIL(b, "BTF: type %u is not an array", t->id);
	const u8 *a = rec(b, t, 0);
	*elem = rd32(a);
	*nelems = rd32(a + 8);
	return 0;
}

int btf_datasec_var(struct btf *b, const struct btf_t *t, u32 i, u32 *var, u32 *off, u32 *size)
{
	if (t->kind != BTFK_DATASEC || i >= t->vlen)
		return FAIL(b, "BTF: type %u has no variable %u", t->id, i);
	const u8 *v = rec(b, t, (u64)i * 12);
	*var = rd32(v);
	*off = rd32(v + 4);
	*size = rd32(v + 8);
	return 0;
}

int btf_enum(struct btf *b, const struct btf_t *t, u32 i, const char **name, s64 *val)
{
	bool e64 = t->kind == BTFK_ENUM64;
	if ((t->kind != BTFK_ENUM && !e64) || i >= t->vlen)
		return FAIL(b, "BTF: type %u has no enumerator %u", t->id, i);
	const u8 *e = rec(b, t, (u64)i * (e64 ? 12 : 8));
	*name = btf_str(b, rd32(e));
	/* ENUM: 32 bits, signed if kflag; ENUM64: low and high halves */
	*val = e64 ? (s64)((u64)rd32(e + 8) << 32 | rd32(e + 4)) : t->kflag ? (s32)rd32(e + 4) : (s64)rd32(e + 4);
	return *name ? 0 : FAIL(b, "BTF: type %u enumerator %u: name offset out of range", t->id, i);
}

int btf_int(struct btf *b, const struct btf_t *t, bool *is_signed, u32 *bits)
{
	if (t->kind != BTFK_INT)
		return FAIL(b, "BTF: type %u is not an integer", t->id);
	u32 enc = rd32(rec(b, t, 0));
	*is_signed = (enc >> 24) & 1;
	*bits = enc & 0xff;
	return 0;
}

u32 btf_int_offset(struct btf *b, const struct btf_t *t)
{
	return t->kind == BTFK_INT ? (rd32(rec(b, t, 0)) >> 16) & 0xff : 0;
}

u32 btf_member_bitsize(struct btf *b, const struct btf_t *t, u32 i)
{
	return t->kflag && i < t->vlen ? rd32(rec(b, t, (u64)i * 12 + 8)) >> 24 : 0;
}

static u64 rd64(const u8 *p)
{
	return rd32(p) | (u64)rd32(p + 4) << 32;
}

int btf_elf_section(const u8 *d, u64 size, const u8 **btf, u64 *btf_size, struct err *e)
{
	if (size < 64 || memcmp(d, "\177ELF", 4) || d[4] != 2 || d[5] != 1)
		return err_set(e, RB_EOBJ, "not a little-endian ELF64 file");
	u64 shoff = rd64(d + 40);
	u32 entsz = d[58] | d[59] << 8, shnum = d[60] | d[61] << 8, shstrndx = d[62] | d[63] << 8;
	if (entsz != 64 || shoff > size || (u64)shnum * 64 > size - shoff || shstrndx >= shnum)
		return err_set(e, RB_EOBJ, "ELF section headers (offset %llu, %u of %u bytes) do not fit the file",
				   (unsigned long long)shoff, shnum, entsz);
	const u8 *strs = d + shoff + (u64)shstrndx * 64;
	u64 str_off = rd64(strs + 24), str_size = rd64(strs + 32);
	if (str_off > size || str_size > size - str_off)
		return err_set(e, RB_EOBJ, "ELF section name table past the end of the file");
	for (u32 i = 1; i < shnum; i++) {
		const u8 *sh = d + shoff + (u64)i * 64;
		u64 off = rd64(sh + 24), sz = rd64(sh + 32);
		if (rd32(sh) + 5ull > str_size || memcmp(d + str_off + rd32(sh), ".BTF", 5))
			continue;
		if (rd32(sh + 4) == 8 /* SHT_NOBITS */ || off > size || sz > size - off)
			return err_set(e, RB_EOBJ, "section .BTF (offset %llu, %llu bytes) past the end of the file",
					   (unsigned long long)off, (unsigned long long)sz);
		*btf = d + off;
		*btf_size = sz;
		return 0;
	}
	return err_set(e, RB_EOBJ, "an ELF file without a .BTF section (a kernel built without CONFIG_DEBUG_INFO_BTF?)");
}

u32 btf_find(struct btf *b, const char *name, u32 kind)
{
	struct btf_t t;
	for (u32 id = b->start_id + 1; id <= b->ntypes; id++)
		if (btf_type(b, id, &t) == 0 && t.kind == kind && t.name && !rb_strcmp(t.name, name))
			return id;
	return 0;
}
