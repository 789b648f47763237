/* Builds the object model from a BPF ELF object: programs by section name through one table
 * (libbpf's conventions), maps from BTF (.maps), the legacy maps section and global data
 * sections, every relocation checked and resolved, and each program linked with the .text
 * subprograms it calls. */
#include "obj.h"
#include <linux/elf.h>

#define R_BPF_64_64 1      /* ld_imm64: a map, or an address in global data */
#define R_BPF_64_32 10     /* call: the target is symbol + (imm + 1) * 8 */

#define FAIL(o, ...) (rb_snprintf((o)->err, sizeof (o)->err, __VA_ARGS__), RB_EOBJ)
#define INSN 8u

/* Section names to program types, as libbpf names them. An entry ending in '/' takes a target. */
static const struct sec_def sec_defs[] = {
	{"kprobe/", BPF_PROG_TYPE_KPROBE, 0, ATTACH_KPROBE},
	{"kretprobe/", BPF_PROG_TYPE_KPROBE, 0, ATTACH_KRETPROBE},
	{"ksyscall/", BPF_PROG_TYPE_KPROBE, 0, ATTACH_KSYSCALL},
	{"kretsyscall/", BPF_PROG_TYPE_KPROBE, 0, ATTACH_KRETSYSCALL},
	{"tracepoint/", BPF_PROG_TYPE_TRACEPOINT, 0, ATTACH_TRACEPOINT},
	{"tp/", BPF_PROG_TYPE_TRACEPOINT, 0, ATTACH_TRACEPOINT},
	{"raw_tracepoint/", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, ATTACH_RAW_TP},
	{"raw_tp/", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, ATTACH_RAW_TP},
	{"raw_tracepoint", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, ATTACH_NONE}, /* tail-call targets */
	{"raw_tp", BPF_PROG_TYPE_RAW_TRACEPOINT, 0, ATTACH_NONE},
	{"xdp", BPF_PROG_TYPE_XDP, BPF_XDP, ATTACH_NONE},
	{"socket", BPF_PROG_TYPE_SOCKET_FILTER, 0, ATTACH_NONE},
	{"tc", BPF_PROG_TYPE_SCHED_CLS, 0, ATTACH_NONE},
	{"classifier", BPF_PROG_TYPE_SCHED_CLS, 0, ATTACH_NONE},
	{"perf_event", BPF_PROG_TYPE_PERF_EVENT, 0, ATTACH_NONE},
	{"kprobe", BPF_PROG_TYPE_KPROBE, 0, ATTACH_NONE},
	{"tracepoint", BPF_PROG_TYPE_TRACEPOINT, 0, ATTACH_NONE},
};

const struct sec_def *sec_def_find(const char *sec, const char **target)
{
	for (size_t i = 0; i < ARRAY_SIZE(sec_defs); i++) {
		const char *p = sec_defs[i].prefix;
		size_t n = rb_strlen(p);
		if (rb_strncmp(sec, p, n))
			continue;
		if (p[n - 1] == '/') {
			*target = sec + n;
			return &sec_defs[i];
		}
		if (sec[n] == 0 || sec[n] == '/') { /* "xdp" or "xdp/anything" */
			*target = sec[n] ? sec + n + 1 : sec + n;
			return &sec_defs[i];
		}
	}
	return NULL;
}

/* The licenses the kernel treats as GPL-compatible (license_is_gpl_compatible()). */
bool license_is_gpl(const char *l)
{
	static const char *const ok[] = {"GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL",
					 "Dual MIT/GPL", "Dual MPL/GPL"};
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		if (!rb_strcmp(l, ok[i]))
			return true;
	return false;
}

const char *map_type_name(u32 t)
{
	static const char *const names[] = {
		[BPF_MAP_TYPE_HASH] = "hash", [BPF_MAP_TYPE_ARRAY] = "array",
		[BPF_MAP_TYPE_PROG_ARRAY] = "prog_array", [BPF_MAP_TYPE_PERF_EVENT_ARRAY] = "perf_event_array",
		[BPF_MAP_TYPE_PERCPU_HASH] = "percpu_hash", [BPF_MAP_TYPE_PERCPU_ARRAY] = "percpu_array",
		[BPF_MAP_TYPE_LRU_HASH] = "lru_hash", [BPF_MAP_TYPE_LRU_PERCPU_HASH] = "lru_percpu_hash",
		[BPF_MAP_TYPE_RINGBUF] = "ringbuf",
	};
	return t < ARRAY_SIZE(names) && names[t] ? names[t] : "other";
}

static bool is_code(const struct elf_sec *s)
{
	return s->type == SHT_PROGBITS && (s->flags & SHF_EXECINSTR) && s->size;
}

static bool is_prog_section(const struct elf_sec *s)
{
	return is_code(s) && rb_strcmp(s->name, ".text");
}

static bool is_data_section(const struct elf_sec *s)
{
	return (s->type == SHT_PROGBITS || s->type == SHT_NOBITS) && (s->flags & SHF_ALLOC) &&
	       !(s->flags & SHF_EXECINSTR) &&
	       (rb_startswith(s->name, ".data") || rb_startswith(s->name, ".rodata") ||
		rb_startswith(s->name, ".bss"));
}

/* Everything callable: the STT_FUNC symbols of code sections. */
struct func {
	const char *name;
	unsigned sec_idx;
	u64 off;
	u32 cnt;
};

/* A resolved relocation of a code section. */
enum { REL_MAP_FD = PREL_MAP_FD, REL_MAP_VALUE = PREL_MAP_VALUE, REL_CALL };
struct rel {
	unsigned sec_idx, target_sec;
	u64 off, target_off;
	u32 kind, map, value_off, index;
};

/* Parse-time state that does not outlive obj_parse. */
struct ctx {
	struct obj *o;
	struct func *funcs;
	unsigned nfuncs;
	struct rel *rels;
	unsigned nrels, cap_rels, cap_maps;
	int maps_sec, btf_maps_sec; /* "maps", ".maps" section indexes, -1 if none */
};

static int check_func(struct obj *o, const struct elf_sec *s, const struct elf_sym *sym, const char *what)
{
	if (sym->value % INSN || sym->size % INSN || !sym->size)
		return FAIL(o, "%s '%s': offset %llu or size %llu is not a whole number of instructions", what,
			    sym->name, (unsigned long long)sym->value, (unsigned long long)sym->size);
	if (sym->value > s->size || sym->size > s->size - sym->value)
		return FAIL(o, "%s '%s': offset %llu + size %llu past the end of section '%s' (%llu bytes)", what,
			    sym->name, (unsigned long long)sym->value, (unsigned long long)sym->size, s->name,
			    (unsigned long long)s->size);
	return 0;
}

static int add_prog(struct obj *o, const struct elf_sec *s, const struct elf_sym *sym)
{
	const char *sec = s->name, *target;
	bool autoload = true;
	if (sec[0] == '?')
		sec++, autoload = false;
	const struct sec_def *def = sec_def_find(sec, &target);
	if (!def)
		return FAIL(o, "prog '%s': unknown section name '%s' (rawbpf knows kprobe/, kretprobe/, ksyscall/, "
			       "kretsyscall/, tracepoint/, tp/, raw_tp/, xdp, socket, tc, perf_event)",
			    sym->name, s->name);
	if (def->prefix[rb_strlen(def->prefix) - 1] == '/' && !target[0])
		return FAIL(o, "prog '%s': section '%s' names no attach target after '%s'", sym->name, s->name,
			    def->prefix);
	if (check_func(o, s, sym, "prog"))
		return RB_EOBJ;
	struct prog *p = &o->progs[o->nprogs++];
	p->name = sym->name;
	p->sec = sec;
	p->def = def;
	p->target = target;
	p->autoload = autoload;
	p->sec_idx = s->idx;
	p->off = sym->value;
	p->body_cnt = (u32)(sym->size / INSN);
	p->fd = -1;
	return 0;
}

/* Programs (global functions of program sections) and every function, for calls. */
static int find_functions(struct ctx *c)
{
	struct obj *o = c->o;
	struct elf *e = &o->elf;
	struct elf_sec s;
	struct elf_sym sym;
	unsigned nfunc = 0;

	for (unsigned i = 1; i < elf_nsyms(e); i++) {
		if (elf_symbol(e, i, &sym))
			return FAIL(o, "%s", e->err);
		if (sym.type == STT_FUNC)
			nfunc++;
	}
	o->progs = rb_zalloc((nfunc ? nfunc : 1) * sizeof *o->progs);
	c->funcs = rb_zalloc((nfunc ? nfunc : 1) * sizeof *c->funcs);
	for (unsigned i = 1; i < elf_nsyms(e); i++) {
		elf_symbol(e, i, &sym);
		if (sym.type != STT_FUNC || sym.shndx == SHN_UNDEF || sym.shndx >= SHN_LORESERVE)
			continue;
		if (elf_section(e, sym.shndx, &s))
			return FAIL(o, "symbol '%s': %s", sym.name, e->err);
		if (!is_code(&s))
			continue;
		if (sym.bind == STB_GLOBAL && is_prog_section(&s)) {
			if (add_prog(o, &s, &sym))
				return RB_EOBJ;
		} else if (check_func(o, &s, &sym, "function")) {
			return RB_EOBJ;
		}
		c->funcs[c->nfuncs++] = (struct func){sym.name, s.idx, sym.value, (u32)(sym.size / INSN)};
	}
	/* Sorted by section and offset (shell sort: no recursion, no quadratic worst case for the
	 * symbol counts a file can hold), neighbours must not overlap: an instruction belongs to one
	 * function, or relocations would apply twice. */
	struct func *f = c->funcs;
	for (unsigned gap = c->nfuncs / 2; gap; gap = gap == 2 ? 1 : gap * 5 / 11)
		for (unsigned i = gap; i < c->nfuncs; i++)
			for (unsigned j = i; j >= gap && (f[j - gap].sec_idx > f[j].sec_idx ||
					       (f[j - gap].sec_idx == f[j].sec_idx && f[j - gap].off > f[j].off)); j -= gap) {
				struct func t = f[j];
				f[j] = f[j - gap];
				f[j - gap] = t;
			}
	for (unsigned i = 1; i < c->nfuncs; i++)
		if (f[i].sec_idx == f[i - 1].sec_idx && f[i - 1].off + (u64)f[i - 1].cnt * INSN > f[i].off) {
			struct elf_sec s2;
			elf_section(e, f[i].sec_idx, &s2);
			return FAIL(o, "function '%s': offset %llu + size %llu overlaps function '%s' in section '%s'",
				    f[i - 1].name, (unsigned long long)f[i - 1].off, (unsigned long long)f[i - 1].cnt * INSN,
				    f[i].name, s2.name);
		}
	return 0;
}

static const struct func *func_at(struct ctx *c, unsigned sec, u64 off)
{
	for (unsigned i = 0; i < c->nfuncs; i++) {
		const struct func *f = &c->funcs[i];
		if (f->sec_idx == sec && off >= f->off && off - f->off < (u64)f->cnt * INSN)
			return f;
	}
	return NULL;
}

static void set_kname(struct map *m, const char *prefix, const char *name)
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

static struct map *new_map(struct ctx *c, const char *name, unsigned sec, u64 off)
{
	struct obj *o = c->o;
	if (o->nmaps == c->cap_maps)
		return NULL;
	struct map *m = &o->maps[o->nmaps++];
	m->name = name;
	m->sec_idx = sec;
	m->off = off;
	m->fd = -1;
	set_kname(m, NULL, name);
	return m;
}

/* Legacy maps: "maps" holds one struct bpf_map_def (5 u32 or more) per symbol. */
static int legacy_maps(struct ctx *c, const struct elf_sec *s)
{
	struct obj *o = c->o;
	struct elf *e = &o->elf;
	struct elf_sym sym;
	unsigned n = 0;
	for (unsigned i = 1; i < elf_nsyms(e); i++)
		if (!elf_symbol(e, i, &sym) && sym.shndx == s->idx && sym.name[0] && sym.type != STT_SECTION)
			n++;
	if (!n)
		return 0;
	u64 def = s->size / n;
	if (def < 20 || def % 4 || !s->data)
		return FAIL(o, "section 'maps': %u maps in %llu bytes: not a whole number of 20-byte definitions", n,
			    (unsigned long long)s->size);
	for (unsigned i = 1; i < elf_nsyms(e); i++) {
		if (elf_symbol(e, i, &sym) || sym.shndx != s->idx || !sym.name[0] || sym.type == STT_SECTION)
			continue;
		if (sym.value % def || sym.value > s->size - def)
			return FAIL(o, "map '%s': offset %llu in section 'maps' is not at a %llu-byte definition", sym.name,
				    (unsigned long long)sym.value, (unsigned long long)def);
		struct map *m = new_map(c, sym.name, s->idx, sym.value);
		if (!m)
			return FAIL(o, "too many maps");
		u32 f[5];
		memcpy(f, s->data + sym.value, sizeof f);
		m->def = MAP_DEF_LEGACY;
		m->type = f[0], m->key_size = f[1], m->value_size = f[2], m->max_entries = f[3], m->flags = f[4];
		m->def_size = def;
	}
	return 0;
}

/* "__uint(name, N)" is "int (*name)[N]": N is the array's length. */
static int btf_uint(struct obj *o, u32 type, const char *map, const char *field, u32 *out)
{
	struct btf *b = &o->btf;
	struct btf_t t;
	u32 elem;
	if (btf_resolve(b, type, &t) || t.kind != BTFK_PTR || btf_resolve(b, t.size_or_type, &t) ||
	    btf_array(b, &t, &elem, out))
		return FAIL(o, "map '%s': field '%s' is not __uint(%s, N)%s%s", map, field, field, b->err[0] ? ": " : "",
			    b->err);
	return 0;
}

/* "__type(key, T)" is "T *key": the pointee's id and size. */
static int btf_ptr_type(struct obj *o, u32 type, const char *map, const char *field, u32 *id, u32 *size)
{
	struct btf *b = &o->btf;
	struct btf_t t;
	u64 sz;
	if (btf_resolve(b, type, &t) || t.kind != BTFK_PTR || btf_size(b, t.size_or_type, &sz) || sz > 0xffffffffu)
		return FAIL(o, "map '%s': field '%s' is not __type(%s, T) of a sized type T%s%s", map, field, field,
			    b->err[0] ? ": " : "", b->err);
	*id = t.size_or_type;
	*size = (u32)sz;
	return 0;
}

/* One BTF-defined map: a variable of the .maps DATASEC whose struct members describe it. */
static int btf_map(struct ctx *c, struct map *m, u32 var_type)
{
	struct obj *o = c->o;
	struct btf *b = &o->btf;
	struct btf_t t;
	if (btf_resolve(b, var_type, &t) || t.kind != BTFK_STRUCT)
		return FAIL(o, "map '%s': its BTF type is not a struct%s%s", m->name, b->err[0] ? ": " : "", b->err);
	m->def = MAP_DEF_BTF;
	for (u32 i = 0; i < t.vlen; i++) {
		const char *name;
		u32 type, bit;
		if (btf_member(b, &t, i, &name, &type, &bit))
			return FAIL(o, "map '%s': %s", m->name, b->err);
		int r = 0;
		u32 ignored;
		if (!rb_strcmp(name, "type"))
			r = btf_uint(o, type, m->name, name, &m->type);
		else if (!rb_strcmp(name, "max_entries"))
			r = btf_uint(o, type, m->name, name, &m->max_entries);
		else if (!rb_strcmp(name, "map_flags"))
			r = btf_uint(o, type, m->name, name, &m->flags);
		else if (!rb_strcmp(name, "key_size"))
			r = btf_uint(o, type, m->name, name, &m->key_size);
		else if (!rb_strcmp(name, "value_size"))
			r = btf_uint(o, type, m->name, name, &m->value_size);
		else if (!rb_strcmp(name, "pinning") || !rb_strcmp(name, "numa_node"))
			r = btf_uint(o, type, m->name, name, &ignored);
		else if (!rb_strcmp(name, "key"))
			r = btf_ptr_type(o, type, m->name, name, &m->btf_key, &m->key_size);
		else if (!rb_strcmp(name, "value"))
			r = btf_ptr_type(o, type, m->name, name, &m->btf_value, &m->value_size);
		else if (!rb_strcmp(name, "values"))
			m->values_off = bit / 8;
		else
			return FAIL(o, "map '%s': unknown definition field '%s'", m->name, name);
		if (r)
			return r;
	}
	if (!m->type)
		return FAIL(o, "map '%s': no map type (__uint(type, ...))", m->name);
	/* Prog arrays hold program fds: 4-byte keys and values, whatever the types said. */
	if (m->type == BPF_MAP_TYPE_PROG_ARRAY || m->type == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
		if (!m->key_size)
			m->key_size = 4;
		if (!m->value_size)
			m->value_size = 4;
	}
	return 0;
}

static int btf_maps(struct ctx *c, const struct elf_sec *s)
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
		if (elf_symbol(e, i, &sym) || sym.shndx != s->idx || !sym.name[0] || sym.type == STT_SECTION)
			continue;
		u32 vt = 0;
		for (u32 k = 0; k < ds.vlen && !vt; k++) {
			u32 v, off, size;
			if (btf_datasec_var(&o->btf, &ds, k, &v, &off, &size) || btf_type(&o->btf, v, &var))
				return FAIL(o, "section '.maps': %s", o->btf.err);
			if (var.kind == BTFK_VAR && var.name && !rb_strcmp(var.name, sym.name))
				vt = var.size_or_type;
		}
		if (!vt)
			return FAIL(o, "map '%s': not described in the BTF of '.maps'", sym.name);
		if (sym.value > s->size || sym.size > s->size - sym.value)
			return FAIL(o, "map '%s': offset %llu + size %llu past the end of '.maps' (%llu bytes)", sym.name,
				    (unsigned long long)sym.value, (unsigned long long)sym.size,
				    (unsigned long long)s->size);
		struct map *m = new_map(c, sym.name, s->idx, sym.value);
		if (!m)
			return FAIL(o, "too many maps");
		m->def_size = sym.size;
		if (btf_map(c, m, vt))
			return RB_EOBJ;
	}
	return 0;
}

/* Global data: one single-entry array map per referenced section, created on first use. */
static struct map *data_map(struct ctx *c, const struct elf_sec *s)
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

/* Checks one relocation of a code section and records what it asks for. */
static int code_reloc(struct ctx *c, const struct elf_sec *rs, const struct elf_sec *target, unsigned i)
{
	struct obj *o = c->o;
	struct elf *e = &o->elf;
	struct elf_sec symsec;
	struct elf_rel r;
	struct elf_sym sym;
	const char *where = target->name;

	if (elf_reloc(e, rs, i, &r))
		return FAIL(o, "%s", e->err);
	if (r.offset % INSN)
		return FAIL(o, "%s: relocation #%u: offset %llu is not at an instruction boundary", where, i,
			    (unsigned long long)r.offset);
	if (r.offset >= target->size || target->size - r.offset < INSN)
		return FAIL(o, "%s: relocation #%u: offset %llu past the end of the section (%llu bytes)", where, i,
			    (unsigned long long)r.offset, (unsigned long long)target->size);
	if (elf_symbol(e, r.sym, &sym))
		return FAIL(o, "%s: relocation #%u: %s", where, i, e->err);
	if (r.type != R_BPF_64_64 && r.type != R_BPF_64_32)
		return FAIL(o, "%s: relocation #%u: type %u is not valid in code", where, i, r.type);
	const struct func *fn = func_at(c, target->idx, r.offset);
	const char *what = fn ? fn->name : target->name;
	if (sym.shndx == SHN_UNDEF || sym.shndx >= SHN_LORESERVE)
		return FAIL(o, "prog '%s': relocation #%u: symbol '%s' is undefined (extern symbols are not supported)",
			    what, i, sym.name);
	if (elf_section(e, sym.shndx, &symsec))
		return FAIL(o, "prog '%s': relocation #%u: %s", what, i, e->err);

	struct bpf_insn insn;
	memcpy(&insn, target->data + r.offset, sizeof insn);
	struct rel *rel = &c->rels[c->nrels++];
	*rel = (struct rel){.sec_idx = target->idx, .off = r.offset, .index = i};
	if (r.type == R_BPF_64_32 || (symsec.flags & SHF_EXECINSTR)) {
		if (insn.code != (BPF_JMP | BPF_CALL) || insn.src_reg != BPF_PSEUDO_CALL)
			return FAIL(o, "prog '%s': relocation #%u: a call relocation on an instruction that is not a "
				       "BPF-to-BPF call (opcode 0x%x)", what, i, insn.code);
		if (!is_code(&symsec))
			return FAIL(o, "prog '%s': relocation #%u: call into '%s', which is not code", what, i,
				    symsec.name);
		/* Unsigned, so a hostile symbol value wraps instead of overflowing; any wrap lands
		 * far outside the section. */
		u64 t = sym.value + ((u64)(s64)insn.imm + 1) * INSN;
		if (t >= symsec.size)
			return FAIL(o, "prog '%s': relocation #%u: call target %llu outside '%s' (%llu bytes)", what, i,
				    (unsigned long long)t, symsec.name, (unsigned long long)symsec.size);
		rel->kind = REL_CALL;
		rel->target_sec = symsec.idx;
		rel->target_off = t;
		return 0;
	}
	if (insn.code != (BPF_LD | BPF_IMM | BPF_DW) || r.offset + 2 * INSN > target->size)
		return FAIL(o, "prog '%s': relocation #%u: a map or data reference on an instruction that is not "
			       "a 64-bit load (opcode 0x%x)", what, i, insn.code);
	const char *symname = sym.name[0] ? sym.name : symsec.name;
	if ((int)sym.shndx == c->maps_sec || (int)sym.shndx == c->btf_maps_sec) {
		for (unsigned k = 0; k < o->nmaps; k++)
			if (o->maps[k].sec_idx == sym.shndx && o->maps[k].off == sym.value) {
				rel->kind = REL_MAP_FD;
				rel->map = k;
				return 0;
			}
		return FAIL(o, "prog '%s': relocation #%u: '%s' in '%s' is not a map", what, i, symname, symsec.name);
	}
	if (is_data_section(&symsec)) {
		u64 off = sym.value + (u64)(s64)insn.imm;
		if (off >= symsec.size && !(off == 0 && symsec.size == 0))
			return FAIL(o, "prog '%s': relocation #%u: offset %llu of '%s' past the end of '%s' (%llu bytes)",
				    what, i, (unsigned long long)off, symname, symsec.name,
				    (unsigned long long)symsec.size);
		struct map *m = data_map(c, &symsec);
		if (!m)
			return FAIL(o, "too many maps");
		rel->kind = REL_MAP_VALUE;
		rel->map = (u32)(m - o->maps);
		rel->value_off = (u32)off;
		return 0;
	}
	return FAIL(o, "prog '%s': relocation #%u: reference to '%s' in section '%s', which is neither a map nor "
		       "global data", what, i, symname, symsec.name);
}

/* Initial values of BTF-defined prog arrays: ".rel.maps" entries pointing at programs. */
static int map_values(struct ctx *c, const struct elf_sec *rs)
{
	struct obj *o = c->o;
	struct elf *e = &o->elf;
	struct elf_rel r;
	struct elf_sym sym;
	for (unsigned i = 0; i < elf_nrels(rs); i++) {
		if (elf_reloc(e, rs, i, &r) || elf_symbol(e, r.sym, &sym))
			return FAIL(o, "%s", e->err);
		struct map *m = NULL;
		for (unsigned k = 0; k < o->nmaps; k++)
			if (o->maps[k].def == MAP_DEF_BTF && r.offset >= o->maps[k].off &&
			    r.offset - o->maps[k].off < o->maps[k].def_size)
				m = &o->maps[k];
		if (!m || !m->values_off || r.offset - m->off < m->values_off || (r.offset - m->off - m->values_off) % 8)
			return FAIL(o, "'.maps': relocation #%u at offset %llu is not in a map's initial values", i,
				    (unsigned long long)r.offset);
		u64 slot = (r.offset - m->off - m->values_off) / 8;
		if (m->type != BPF_MAP_TYPE_PROG_ARRAY || slot >= m->max_entries)
			return FAIL(o, "map '%s': initial value #%llu: only prog arrays take initial values here, within "
				       "max_entries (%u)", m->name, (unsigned long long)slot, m->max_entries);
		struct prog *p = NULL;
		for (unsigned k = 0; k < o->nprogs; k++)
			if (o->progs[k].sec_idx == sym.shndx && o->progs[k].off == sym.value)
				p = &o->progs[k];
		if (!p)
			return FAIL(o, "map '%s': initial value #%llu: '%s' is not a program", m->name,
				    (unsigned long long)slot, sym.name);
		for (unsigned k = 0; k < m->nslots; k++)
			if (m->slots[k].key == slot)
				return FAIL(o, "map '%s': initial value #%llu: set twice", m->name, (unsigned long long)slot);
		if (!m->slots) /* at most one slot per relocation: never sized by the file's max_entries */
			m->slots = rb_zalloc(elf_nrels(rs) * sizeof *m->slots);
		m->slots[m->nslots++] = (struct map_slot){(u32)slot, p};
	}
	return 0;
}

static int relocations(struct ctx *c)
{
	struct obj *o = c->o;
	struct elf *e = &o->elf;
	struct elf_sec rs, target;
	for (unsigned i = 1; i < e->shnum; i++) {
		elf_section(e, i, &rs);
		if (rs.type == SHT_RELA)
			return FAIL(o, "section '%s': RELA relocations are not used by BPF objects", rs.name);
		if (rs.type != SHT_REL)
			continue;
		if (rs.info >= e->shnum || rs.info == 0)
			return FAIL(o, "relocation section '%s': target section index %u out of range (%u sections)",
				    rs.name, rs.info, e->shnum);
		if (elf_section(e, rs.info, &target))
			return FAIL(o, "%s", e->err);
		bool code = is_code(&target), values = (int)target.idx == c->btf_maps_sec;
		if (!code && !values)
			continue; /* .BTF, .BTF.ext, debug info: nothing the kernel needs from us */
		if (rs.link != (unsigned)e->symtab)
			return FAIL(o, "relocation section '%s': symbol table index %u is not the symbol table", rs.name,
				    rs.link);
		if (rs.entsize != 16 || rs.size % 16)
			return FAIL(o, "relocation section '%s': entry size %llu and size %llu do not fit 16-byte entries",
				    rs.name, (unsigned long long)rs.entsize, (unsigned long long)rs.size);
		if (values) {
			if (map_values(c, &rs))
				return RB_EOBJ;
			continue;
		}
		if (c->nrels + elf_nrels(&rs) > c->cap_rels)
			return FAIL(o, "too many relocations");
		for (unsigned k = 0; k < elf_nrels(&rs); k++)
			if (code_reloc(c, &rs, &target, k))
				return RB_EOBJ;
	}
	return 0;
}

static const struct rel *rel_at(struct ctx *c, unsigned sec, u64 off)
{
	for (unsigned i = 0; i < c->nrels; i++)
		if (c->rels[i].sec_idx == sec && c->rels[i].off == off)
			return &c->rels[i];
	return NULL;
}

/* Copies a program's body and, after it, every function it calls (transitively), fixing call
 * offsets to the new layout and noting which instructions take map fds. */
static int link_prog(struct ctx *c, struct prog *p)
{
	struct obj *o = c->o;
	struct elf *e = &o->elf;
	u64 total = p->body_cnt;
	for (unsigned i = 0; i < c->nfuncs; i++)
		total += c->funcs[i].cnt;
	if (total > 1000000)
		return FAIL(o, "prog '%s': too many instructions (%llu)", p->name, (unsigned long long)total);
	p->insns = rb_alloc(total * sizeof *p->insns);
	p->pieces = rb_zalloc((c->nfuncs + 1) * sizeof *p->pieces);
	p->rels = rb_zalloc((c->nrels ? c->nrels : 1) * sizeof *p->rels);
	p->pieces[0] = (struct piece){p->sec_idx, p->off, 0, p->body_cnt, p->name};
	p->npieces = 1;
	p->insn_cnt = 0;
	for (unsigned pi = 0; pi < p->npieces; pi++) {
		struct piece *pc = &p->pieces[pi];
		struct elf_sec s;
		elf_section(e, pc->sec_idx, &s);
		memcpy(p->insns + pc->at, s.data + pc->off, (size_t)pc->cnt * INSN);
		p->insn_cnt = pc->at + pc->cnt;
		for (u32 j = 0; j < pc->cnt; j++) {
			u32 idx = pc->at + j;
			u64 off = pc->off + (u64)j * INSN;
			struct bpf_insn *in = &p->insns[idx];
			const struct rel *r = rel_at(c, pc->sec_idx, off);
			if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
				if (j + 1 >= pc->cnt)
					return FAIL(o, "prog '%s': 64-bit load at instruction %u is cut off", p->name, idx);
				if (in->src_reg == BPF_PSEUDO_FUNC)
					return FAIL(o, "prog '%s': instruction %u passes a function as a callback: not "
						       "supported", p->name, idx);
				if (r && r->kind != REL_CALL) {
					p->rels[p->nrels++] = (struct prog_rel){idx, r->kind, r->map, r->value_off};
					o->maps[r->map].used = true;
				}
				j++;
				continue;
			}
			if (in->code == (BPF_JMP | BPF_CALL) && in->src_reg == 0 &&
			    (in->imm == BPF_FUNC_trace_printk || in->imm == BPF_FUNC_trace_vprintk))
				p->uses_trace_printk = true;
			if (in->code != (BPF_JMP | BPF_CALL) || in->src_reg != BPF_PSEUDO_CALL) {
				if (r)
					return FAIL(o, "prog '%s': relocation #%u lands on instruction %u, neither a "
						       "64-bit load nor a call", p->name, r->index, idx);
				continue;
			}
			unsigned tsec = pc->sec_idx;
			s64 toff = (s64)off + ((s64)in->imm + 1) * INSN;
			if (r)
				tsec = r->target_sec, toff = (s64)r->target_off;
			const struct func *f = toff >= 0 ? func_at(c, tsec, (u64)toff) : NULL;
			if (!f)
				return FAIL(o, "prog '%s': the call at instruction %u goes to no known function", p->name,
					    idx);
			struct piece *q = NULL;
			for (unsigned k = 0; k < p->npieces; k++)
				if (p->pieces[k].sec_idx == f->sec_idx && p->pieces[k].off == f->off)
					q = &p->pieces[k];
			if (!q) {
				if (p->npieces > c->nfuncs)
					return FAIL(o, "prog '%s': too many called functions", p->name);
				q = &p->pieces[p->npieces++];
				*q = (struct piece){f->sec_idx, f->off, p->pieces[p->npieces - 2].at +
								 p->pieces[p->npieces - 2].cnt, f->cnt, f->name};
				pc = &p->pieces[pi]; /* (the array does not move; keep the pointer honest) */
			}
			in->imm = (s32)((s64)q->at + ((u64)toff - f->off) / INSN - (s64)idx - 1);
		}
	}
	return 0;
}

/* .BTF.ext: func_info and line_info blocks, one per code section, each record starting with
 * the byte offset of its instruction in the section. */
struct ext_sec {
	u32 rec_size, off, len; /* the subsection, in the .BTF.ext data */
};

static int ext_sub(struct obj *o, u32 hdr_len, u32 off, u32 len, u32 min_rec, struct ext_sec *out)
{
	u64 start = (u64)hdr_len + off;
	out->len = 0;
	if (!len)
		return 0;
	if (start + len > o->btf_ext_size || len < 4)
		return FAIL(o, "section '.BTF.ext': a subsection (offset %u, %u bytes) past its end (%llu bytes)", off,
			    len, (unsigned long long)o->btf_ext_size);
	memcpy(&out->rec_size, o->btf_ext + start, 4);
	if (out->rec_size < min_rec || out->rec_size % 4 || out->rec_size > 64)
		return FAIL(o, "section '.BTF.ext': record size %u (expected at least %u)", out->rec_size, min_rec);
	out->off = (u32)start + 4;
	out->len = len - 4;
	return 0;
}

/* Copies the records of ext that fall in the piece into out (remapped), nrec u32 each. */
static int ext_remap(struct obj *o, const struct ext_sec *x, const struct piece *pc, const char *secname, u32 nrec,
		     u32 *out, u32 *cnt, u32 cap)
{
	for (u32 at = 0; at + 8 <= x->len;) {
		u32 hdr[2];
		memcpy(hdr, o->btf_ext + x->off + at, 8);
		u64 bytes = (u64)hdr[1] * x->rec_size;
		if (bytes > x->len - at - 8)
			return FAIL(o, "section '.BTF.ext': %u records past the end of their subsection", hdr[1]);
		const char *name = NULL;
		if (hdr[0] < o->btf.str_len)
			name = (const char *)o->btf.data + o->btf.hdr_len + o->btf.str_off + hdr[0];
		if (!name)
			return FAIL(o, "section '.BTF.ext': section name offset %u out of range", hdr[0]);
		if (!rb_strcmp(name, secname))
			for (u32 k = 0; k < hdr[1]; k++) {
				u32 rec[4];
				memcpy(rec, o->btf_ext + x->off + at + 8 + (u64)k * x->rec_size, nrec * 4);
				if (rec[0] % INSN || rec[0] < pc->off || rec[0] - pc->off >= (u64)pc->cnt * INSN)
					continue;
				if (*cnt >= cap)
					return FAIL(o, "section '.BTF.ext': too many records");
				rec[0] = pc->at + (u32)((rec[0] - pc->off) / INSN);
				memcpy(out + (u64)*cnt * nrec, rec, nrec * 4);
				(*cnt)++;
			}
		at += 8 + (u32)bytes;
	}
	return 0;
}

/* The program's func_info and line_info, in the linked program's instruction numbers. Left
 * empty (so the program loads without them) unless every function has its func_info. */
static int btf_ext_prog(struct obj *o, struct prog *p)
{
	u32 ext_hdr[8] = {0};
	struct ext_sec fi, li;
	if (!o->btf_ext || !o->has_btf)
		return 0;
	if (o->btf_ext_size < 24)
		return FAIL(o, "section '.BTF.ext': truncated header (%llu bytes)", (unsigned long long)o->btf_ext_size);
	memcpy(ext_hdr, o->btf_ext, o->btf_ext_size < 32 ? 24 : 32);
	u32 hdr_len = ext_hdr[1];
	if ((ext_hdr[0] & 0xffff) != 0xeB9F || hdr_len < 24 || hdr_len > o->btf_ext_size)
		return FAIL(o, "section '.BTF.ext': bad magic or header length %u", hdr_len);
	if (ext_sub(o, hdr_len, ext_hdr[2], ext_hdr[3], 8, &fi) || ext_sub(o, hdr_len, ext_hdr[4], ext_hdr[5], 16, &li))
		return RB_EOBJ;
	u32 cap = p->insn_cnt;
	p->func_info = rb_alloc((u64)cap * 8);
	p->line_info = rb_alloc((u64)cap * 16);
	for (unsigned i = 0; i < p->npieces; i++) {
		struct elf_sec s;
		elf_section(&o->elf, p->pieces[i].sec_idx, &s);
		u32 before = p->func_info_cnt;
		if (ext_remap(o, &fi, &p->pieces[i], s.name, 2, p->func_info, &p->func_info_cnt, cap) ||
		    ext_remap(o, &li, &p->pieces[i], s.name, 4, p->line_info, &p->line_info_cnt, cap))
			return RB_EOBJ;
		if (p->func_info_cnt != before + 1 || p->func_info[before * 2] != p->pieces[i].at) {
			p->func_info_cnt = p->line_info_cnt = 0; /* incomplete: load without */
			return 0;
		}
	}
	return 0;
}

/* The .rawbpf section: rawbpf_fmt_<map> (a print format) and rawbpf_record_<map> (whose BTF
 * type is the record type of a perf or ring buffer). Never loaded into the kernel. */
static int rawbpf_section(struct ctx *c, const struct elf_sec *s)
{
	struct obj *o = c->o;
	struct elf *e = &o->elf;
	struct elf_sym sym;
	for (unsigned i = 1; i < elf_nsyms(e); i++) {
		if (elf_symbol(e, i, &sym) || sym.shndx != s->idx || !sym.name[0])
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

u8 *obj_btf_for_kernel(struct obj *o, u32 *size)
{
	struct btf *b = &o->btf;
	struct elf *e = &o->elf;
	if (!o->has_btf)
		return NULL;
	u8 *copy = rb_alloc(b->size);
	memcpy(copy, b->data, b->size);
	for (u32 id = 1; id <= b->ntypes; id++) {
		struct btf_t t, var;
		struct elf_sec s;
		struct elf_sym sym;
		if (btf_type(b, id, &t) || t.kind != BTFK_DATASEC || !t.name)
			continue;
		u8 *rec = copy + b->hdr_len + b->type_off + b->offs[id];
		for (unsigned i = 1; i < e->shnum; i++)
			if (!elf_section(e, i, &s) && !rb_strcmp(s.name, t.name) && s.size <= 0xffffffffu)
				memcpy(rec + 8, &s.size, 4); /* little-endian: the low half */
		for (u32 v = 0; v < t.vlen; v++) {
			u32 vt, off, vsize;
			if (btf_datasec_var(b, &t, v, &vt, &off, &vsize) || btf_type(b, vt, &var) || !var.name)
				continue;
			for (unsigned k = 1; k < elf_nsyms(e); k++)
				if (!elf_symbol(e, k, &sym) && sym.type == STT_OBJECT && !rb_strcmp(sym.name, var.name) &&
				    sym.value <= 0xffffffffu) {
					u32 value = (u32)sym.value;
					memcpy(rec + 12 + (u64)v * 12 + 4, &value, 4);
				}
		}
	}
	*size = b->size;
	return copy;
}

void obj_apply_maps(struct obj *o, struct prog *p)
{
	for (unsigned i = 0; i < p->nrels; i++) {
		struct bpf_insn *in = &p->insns[p->rels[i].insn];
		in[0].src_reg = p->rels[i].kind == PREL_MAP_FD ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE;
		in[0].imm = o->maps[p->rels[i].map].fd;
		in[1].imm = p->rels[i].kind == PREL_MAP_FD ? 0 : (s32)p->rels[i].value_off;
	}
}

void obj_free(struct obj *o)
{
	for (unsigned i = 0; i < o->nprogs; i++) {
		rb_free(o->progs[i].insns);
		rb_free(o->progs[i].pieces);
		rb_free(o->progs[i].rels);
		rb_free(o->progs[i].func_info);
		rb_free(o->progs[i].line_info);
	}
	for (unsigned i = 0; i < o->nmaps; i++)
		rb_free(o->maps[i].slots);
	rb_free(o->progs);
	rb_free(o->maps);
	rb_free(o->owned);
	btf_free(&o->btf);
	o->progs = NULL;
	o->maps = NULL;
	o->owned = NULL;
	o->nprogs = o->nmaps = 0;
}

int obj_parse(struct obj *o, const void *buf, size_t size, const char *name)
{
	struct elf *e = &o->elf;
	struct elf_sec s;
	struct ctx c = {.o = o, .maps_sec = -1, .btf_maps_sec = -1};
	int r = RB_EOBJ;

	memset(o, 0, sizeof *o);
	o->name = name;
	if (elf_open(e, buf, size))
		return FAIL(o, "%s", e->err);
	if (e->symtab < 0)
		return FAIL(o, "no symbol table: programs cannot be found (was the object stripped with --strip-all?)");
	int rawbpf_sec = -1;
	for (unsigned i = 1; i < e->shnum; i++) {
		if (elf_section(e, i, &s))
			return FAIL(o, "%s", e->err);
		if (!rb_strcmp(s.name, "license")) {
			if (!s.data || !s.size || rb_strnlen((const char *)s.data, s.size) == s.size)
				return FAIL(o, "section 'license' is not a NUL-terminated string");
			rb_strlcpy(o->license, (const char *)s.data, sizeof o->license);
		} else if (!rb_strcmp(s.name, "version")) {
			if (!s.data || s.size != 4)
				return FAIL(o, "section 'version' has %llu bytes, expected 4", (unsigned long long)s.size);
			memcpy(&o->kversion, s.data, 4);
			o->has_version = true;
		} else if (!rb_strcmp(s.name, ".BTF") && s.data) {
			o->btf_data = s.data, o->btf_size = s.size;
		} else if (!rb_strcmp(s.name, ".BTF.ext") && s.data) {
			o->btf_ext = s.data, o->btf_ext_size = s.size;
		} else if (!rb_strcmp(s.name, "maps")) {
			c.maps_sec = (int)i;
		} else if (!rb_strcmp(s.name, ".maps")) {
			c.btf_maps_sec = (int)i;
		} else if (!rb_strcmp(s.name, ".rawbpf")) {
			rawbpf_sec = (int)i;
		}
	}
	if (o->btf_data) {
		if (btf_parse(&o->btf, o->btf_data, o->btf_size))
			return FAIL(o, "section '.BTF': %s", o->btf.err);
		o->has_btf = true;
	}
	if (find_functions(&c))
		goto out;
	if (!o->nprogs) {
		FAIL(o, "no programs: no global function in a section rawbpf can load");
		goto out;
	}
	c.cap_maps = elf_nsyms(e) + e->shnum;
	o->maps = rb_zalloc(c.cap_maps * sizeof *o->maps);
	if (c.maps_sec >= 0 && (elf_section(e, (unsigned)c.maps_sec, &s) || legacy_maps(&c, &s)))
		goto out;
	if (c.btf_maps_sec >= 0 && (elf_section(e, (unsigned)c.btf_maps_sec, &s) || btf_maps(&c, &s)))
		goto out;
	for (unsigned i = 1; i < e->shnum; i++) {
		elf_section(e, i, &s);
		if (s.type == SHT_REL)
			c.cap_rels += elf_nrels(&s);
	}
	c.rels = rb_zalloc((c.cap_rels ? c.cap_rels : 1) * sizeof *c.rels);
	if (relocations(&c))
		goto out;
	if (rawbpf_sec >= 0 && (elf_section(e, (unsigned)rawbpf_sec, &s) || rawbpf_section(&c, &s)))
		goto out;
	for (unsigned i = 0; i < o->nprogs; i++)
		if (link_prog(&c, &o->progs[i]) || btf_ext_prog(o, &o->progs[i]))
			goto out;
	r = 0;
out:
	rb_free(c.funcs);
	rb_free(c.rels);
	return r;
}
