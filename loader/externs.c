/* Externs: undefined symbols that the object's BTF places in the .kconfig or .ksyms DATASEC.
 * .kconfig values live in one read-only array map laid out here; .ksyms variables and kfuncs
 * become kernel BTF ids (or addresses) in the instructions once the kernel layer found them. */
#include "obj_int.h"

struct ext *obj_extern(struct obj *o, const char *name)
{
	for (unsigned i = 0; i < o->nexts; i++)
		if (!rb_strcmp(o->exts[i].name, name))
			return &o->exts[i];
	return NULL;
}

/* The undefined symbol name, or NULL. */
static bool undefined(struct obj *o, const char *name, bool *weak)
{
	struct elf_sym sym;
	for (unsigned i = 1; i < elf_nsyms(&o->elf); i++)
		if (!elf_symbol(&o->elf, i, &sym) && sym.shndx == SHN_UNDEF && !rb_strcmp(sym.name, name)) {
			*weak = sym.bind == STB_WEAK;
			return true;
		}
	return false;
}

/* Each entry of the .kconfig and .ksyms DATASECs that an undefined symbol names, in DATASEC
 * order (the order the kernel wants the .kconfig offsets in). */
int obj_externs(struct obj *o)
{
	struct btf *b = &o->btf;
	struct btf_t ds, t;
	u32 total = 0;
	o->kconfig_map = -1;
	for (u32 id = 1; o->has_btf && id <= b->ntypes; id++) {
		if (btf_type(b, id, &ds) || ds.kind != BTFK_DATASEC || !ds.name)
			continue;
		bool kc = !rb_strcmp(ds.name, ".kconfig");
		if (!kc && rb_strcmp(ds.name, ".ksyms"))
			continue;
		if (!o->exts)
			o->exts = rb_zalloc((b->ntypes + 1) * sizeof *o->exts);
		for (u32 k = 0; k < ds.vlen && o->nexts < b->ntypes; k++) {
			u32 v, off, size;
			struct ext *x = &o->exts[o->nexts];
			if (btf_datasec_var(b, &ds, k, &v, &off, &size) || btf_type(b, v, &t) || !t.name ||
			    (t.kind != BTFK_VAR && (kc || t.kind != BTFK_FUNC)) || !undefined(o, t.name, &x->weak) ||
			    obj_extern(o, t.name))
				continue;
			o->nexts++;
			x->name = t.name;
			x->btf_id = v;
			x->kind = kc ? EXT_KCONFIG : t.kind == BTFK_FUNC ? EXT_KFUNC : EXT_KSYM;
			x->type = t.kind == BTFK_VAR ? t.size_or_type : 0;
			/* "extern const void x __ksym" is untyped: an address from kallsyms */
			for (u32 ty = x->type; x->kind == EXT_KSYM && !btf_type(b, ty, &t); ty = t.size_or_type)
				if (t.kind != BTFK_CONST && t.kind != BTFK_VOLATILE && t.kind != BTFK_TYPEDEF)
					break;
				else if (!t.size_or_type)
					x->type = 0;
			if (!kc)
				continue;
			bool sign;
			u64 sz;
			int c = kconfig_class(b, x->type, &sign);
			if (!c || btf_size(b, x->type, &sz) || sz > 4096)
				return FAIL(o, "extern '%s': its type is no bool, char, integer, enum libbpf_tristate "
					       "or char array", x->name);
			if (!rb_startswith(x->name, "CONFIG_") && !rb_startswith(x->name, "LINUX_"))
				return FAIL(o, "extern '%s': .kconfig names are CONFIG_* or LINUX_*", x->name);
			x->size = (u32)sz;
			u32 align = c == 5 /* char array */ ? 1 : x->size;
			x->off = (total + align - 1) / align * align;
			total = x->off + x->size;
		}
	}
	if (!total)
		return 0;
	/* One more map fits: obj_parse sizes the array for a map per symbol and per section. */
	struct map *m = &o->maps[o->nmaps];
	o->kconfig_map = (int)o->nmaps++;
	m->name = ".kconfig";
	m->def = MAP_DEF_DATA;
	m->type = BPF_MAP_TYPE_ARRAY;
	m->key_size = 4;
	m->value_size = total;
	m->max_entries = 1;
	m->flags = BPF_F_RDONLY_PROG; /* frozen once filled, like .rodata */
	m->btf_value = btf_find(&o->btf, ".kconfig", BTFK_DATASEC); /* typed by the DATASEC, fixed up */
	m->init = m->data = rb_zalloc(total);
	m->sec_idx = 0;
	m->fd = -1;
	set_kname(m, o->name, ".kconfig");
	return 0;
}

static void put32(u8 *p, u32 v) { __builtin_memcpy(p, &v, 4); } /* (a store, not a call) */

static const struct ext *ext_of(const struct obj *o, u32 btf_id)
{
	for (unsigned i = 0; i < o->nexts; i++)
		if (o->exts[i].btf_id == btf_id)
			return &o->exts[i];
	return NULL;
}

void ext_btf_fixup(struct obj *o, u8 *copy)
{
	struct btf *b = &o->btf;
	struct btf_t t;
	u32 int_id = 0;
	if (!o->nexts)
		return;
	for (u32 id = 1; id <= b->ntypes && !int_id; id++)
		if (!btf_type(b, id, &t) && t.kind == BTFK_INT && t.size_or_type == 4)
			int_id = id;
	for (u32 id = 1; id <= b->ntypes; id++) {
		if (btf_type(b, id, &t))
			continue;
		u8 *r = copy + b->hdr_len + b->type_off + b->offs[id];
		const struct ext *x = ext_of(o, id);
		/* The kernel takes static and allocated variables only, and sized ones. */
		u32 linkage = 0;
		if (t.kind == BTFK_VAR) /* (only a VAR has the 4 bytes) */
			__builtin_memcpy(&linkage, r + 12, 4);
		if (linkage == 2 /* extern */) {
			put32(r + 12, 1);
			if (x && x->kind == EXT_KSYM)
				put32(r + 8, int_id);
		}
		/* An extern function's parameters have no names, which the kernel wants of a FUNC:
		 * a typedef of its prototype is valid as it is. */
		if (t.kind == BTFK_FUNC && t.vlen == 2)
			put32(r + 4, (u32)BTFK_TYPEDEF << 24);
		if (t.kind != BTFK_DATASEC || !t.name)
			continue;
		if (!rb_strcmp(t.name, ".kconfig") && o->kconfig_map >= 0) {
			put32(r + 8, o->maps[o->kconfig_map].value_size);
			for (u32 k = 0; k < t.vlen; k++) {
				u32 v, off, size;
				btf_datasec_var(b, &t, k, &v, &off, &size);
				const struct ext *k_x = ext_of(o, v);
				if (k_x)
					put32(r + 12 + k * 12 + 4, k_x->off);
			}
		} else if (!rb_strcmp(t.name, ".ksyms")) {
			/* Functions and addresses have no place in a DATASEC: it becomes an anonymous struct
			 * of ints, one per entry, named like them. */
			put32(r, 0);
			put32(r + 4, (u32)BTFK_STRUCT << 24 | t.vlen);
			put32(r + 8, 4);
			for (u32 k = 0; k < t.vlen; k++) {
				u32 v = 0, off, size;
				btf_datasec_var(b, &t, k, &v, &off, &size);
				u8 *m = r + 12 + k * 12;
				put32(m, 0);
				if (v && v <= b->ntypes)
					__builtin_memcpy(m, copy + b->hdr_len + b->type_off + b->offs[v], 4); /* its name */
				put32(m + 4, int_id);
				put32(m + 8, 0);
			}
		}
	}
}

void ext_apply(struct obj *o, struct prog *p)
{
	for (unsigned i = 0; i < p->nrels; i++) {
		const struct prog_rel *rel = &p->rels[i];
		struct bpf_insn *in = &p->insns[rel->insn];
		if (rel->kind != PREL_KFUNC && rel->kind != PREL_EXT)
			continue;
		const struct ext *x = &o->exts[rel->map];
		if (rel->kind == PREL_KFUNC) {
			if (x->found) {
				in->src_reg = BPF_PSEUDO_KFUNC_CALL;
				in->imm = (s32)x->kid;
				in->off = x->fd_idx;
			} else { /* a missing weak kfunc: refused only if the verifier reaches it */
				*in = (struct bpf_insn){.code = BPF_JMP | BPF_CALL, .imm = EXT_POISON_KFUNC + (s32)rel->map};
			}
		} else if (x->kind == EXT_KCONFIG) {
			in[0].src_reg = BPF_PSEUDO_MAP_VALUE;
			in[0].imm = o->maps[o->kconfig_map].fd;
			in[1].imm = (s32)(x->off + rel->value_off);
		} else if (x->found && (x->type || x->kind == EXT_KFUNC)) {
			in[0].src_reg = BPF_PSEUDO_BTF_ID;
			in[0].imm = (s32)x->kid;
			in[1].imm = x->btf_fd;
		} else { /* an address, 0 if missing */
			in[0].src_reg = 0;
			in[0].imm = (s32)(u32)x->addr;
			in[1].imm = (s32)(x->addr >> 32);
		}
	}
}
