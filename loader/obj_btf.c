/* BTF for the kernel: func_info and line_info from .BTF.ext remapped to linked programs, and
 * the copy of .BTF with DATASEC sizes and variable offsets filled in. */
#include "obj_int.h"

/* .BTF.ext: func_info and line_info blocks, one per code section, each record starting with
 * the byte offset of its instruction in the section. */
struct ext_sec {
	u32 rec_size, off, len; /* the subsection, in the .BTF.ext data */
	u32 nrec;               /* the u32 of a record that are kept */
	u32 *out, *cnt;         /* where they go, and how many there are */
};

/* The .BTF.ext header (the kernel's UAPI has none: this is libbpf's and LLVM's layout). Offsets
 * count from the header's end; core_relo only when hdr_len >= 32. */
struct btf_ext_header {
	u16 magic; /* 0xeB9F */
	u8 version, flags;
	u32 hdr_len;
	u32 sub[3][2]; /* func_info, line_info, core_relo: offset, length */
};

static int ext_sub(struct obj *o, u32 hdr_len, u32 off, u32 len, u32 min_rec, struct ext_sec *out)
{
	u64 start = (u64)hdr_len + off;
	out->len = 0;
	out->nrec = min_rec / 4;
	if (!len)
		return 0;
	if (start + len > o->btf_ext_size || len < 4)
		return FAIL(o, "a subsection (offset %u, %u bytes) past its end (%llu bytes)", off,
			    len, (unsigned long long)o->btf_ext_size);
	memcpy(&out->rec_size, o->btf_ext + start, 4);
	if (out->rec_size < min_rec || out->rec_size % 4 || out->rec_size > 64)
		return FAIL(o, "record size %u (expected at least %u)", out->rec_size, min_rec);
	out->off = (u32)start + 4;
	out->len = len - 4;
	return 0;
}

/* Copies the records of x that fall in the piece into x->out (remapped). */
static int ext_remap(struct obj *o, const struct ext_sec *x, const struct piece *pc, const char *secname, u32 cap)
{
	u32 nrec = x->nrec, *out = x->out, *cnt = x->cnt;
	for (u32 at = 0; at + 8 <= x->len;) {
		u32 hdr[2];
		memcpy(hdr, o->btf_ext + x->off + at, 8);
		u64 bytes = (u64)hdr[1] * x->rec_size;
		if (bytes > x->len - at - 8)
			return FAIL(o, "%u records past the end of their subsection", hdr[1]);
		const char *name = NULL;
		if (hdr[0] < o->btf.str_len)
			name = (const char *)o->btf.data + o->btf.hdr_len + o->btf.str_off + hdr[0];
		if (!name)
			return FAIL(o, "section name offset %u out of range", hdr[0]);
		if (!rb_strcmp(name, secname))
			for (u32 k = 0; k < hdr[1]; k++) {
				u32 rec[4];
				memcpy(rec, o->btf_ext + x->off + at + 8 + (u64)k * x->rec_size, nrec * 4);
				if (rec[0] % INSN || rec[0] < pc->off || rec[0] - pc->off >= (u64)pc->cnt * INSN)
					continue;
				if (*cnt >= cap)
					return FAIL(o, "too many records");
				rec[0] = pc->at + (u32)((rec[0] - pc->off) / INSN);
				memcpy(out + (u64)*cnt * nrec, rec, nrec * 4);
				(*cnt)++;
			}
		at += 8 + (u32)bytes;
	}
	return 0;
}

/* The program's func_info and line_info, in the linked program's instruction numbers (left
 * empty, so that the program loads without them, unless every function has its func_info), and
 * its CO-RE relocations (checked here: kind, type, access string; resolved at load). */
int btf_ext_prog(struct obj *o, struct prog *p)
{
	struct btf_ext_header h = {0};
	struct ext_sec x[3] = {0}; /* func_info, line_info, core_relo */
	static const u8 min_rec[3] = {8, 16, 16}; /* bytes; the first min_rec / 4 u32 are kept */
	if (!o->btf_ext || !o->has_btf)
		return 0;
	if (o->btf_ext_size < 24) {
		FAIL(o, "truncated header (%llu bytes)", (unsigned long long)o->btf_ext_size);
		goto bad;
	}
	memcpy(&h, o->btf_ext, o->btf_ext_size < 32 ? 24 : 32);
	u32 hdr_len = h.hdr_len;
	if (h.magic != 0xeB9F || hdr_len < 24 || hdr_len > o->btf_ext_size) {
		FAIL(o, "bad magic or header length %u", hdr_len);
		goto bad;
	}
	for (unsigned k = 0; k < (hdr_len >= 32 ? 3u : 2u); k++)
		if (ext_sub(o, hdr_len, h.sub[k][0], h.sub[k][1], min_rec[k], &x[k]))
			goto bad;
	u32 cap = p->insn_cnt;
	p->func_info = rb_alloc((u64)cap * 8);
	p->line_info = rb_alloc((u64)cap * 16);
	if (x[2].len)
		p->core = rb_alloc((u64)cap * sizeof *p->core);
	x[0].out = p->func_info, x[0].cnt = &p->func_info_cnt;
	x[1].out = p->line_info, x[1].cnt = &p->line_info_cnt;
	x[2].out = (u32 *)p->core, x[2].cnt = &p->core_cnt;
	bool whole = true;
	for (unsigned i = 0; i < p->npieces; i++) {
		struct elf_sec s;
		elf_section(&o->elf, p->pieces[i].sec_idx, &s);
		u32 before = p->func_info_cnt;
		for (unsigned k = whole ? 0 : 2; k < 3; k++)
			if (ext_remap(o, &x[k], &p->pieces[i], s.name, cap))
				goto bad;
		whole = whole && p->func_info_cnt == before + 1 && p->func_info[before * 2] == p->pieces[i].at;
	}
	if (!whole)
		p->func_info_cnt = p->line_info_cnt = 0; /* incomplete: load without */
	if (p->core_cnt) {
		struct core c;
		core_init(&c, &o->btf);
		int r = 0;
		for (u32 i = 0; i < p->core_cnt && !r; i++)
			if ((r = core_add(&c, &p->core[i], 1)))
				FAIL(o, "prog '%s': CO-RE relocation #%u (instruction %u): %s", p->name, i, p->core[i].insn, c.err.msg);
		core_free(&c);
		if (r)
			return r;
		o->ncore += p->core_cnt;
	}
	return 0;
bad:
	return err_ctx(&o->err, "section '.BTF.ext'");
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
		if (btf_type(b, id, &t) || !t.name)
			continue;
		u8 *rec = copy + b->hdr_len + b->type_off + b->offs[id];
		if (t.kind == BTFK_FUNC && t.vlen == 1 /* global */) {
			/* A hidden global function (__hidden, as usdt.bpf.h's) is static to the kernel, as
			 * libbpf makes it: else the verifier checks it alone, knowing nothing of its callers. */
			for (unsigned k = 1; k < elf_nsyms(e); k++)
				if (!elf_symbol(e, k, &sym) && sym.type == STT_FUNC && sym.vis == 2 /* STV_HIDDEN */ &&
				    !rb_strcmp(sym.name, t.name))
					rec[4] = rec[5] = 0; /* info's vlen: the linkage */
			continue;
		}
		if (t.kind != BTFK_DATASEC)
			continue;
		unsigned sec = 0; /* the section of that name: its size, and the symbols in it */
		for (unsigned i = 1; i < e->shnum && !sec; i++)
			if (!elf_section(e, i, &s) && !rb_strcmp(s.name, t.name) && s.size <= 0xffffffffu) {
				memcpy(rec + 8, &s.size, 4); /* little-endian: the low half */
				sec = i;
			}
		for (u32 v = 0; v < t.vlen && sec; v++) {
			u32 vt, off, vsize;
			if (btf_datasec_var(b, &t, v, &vt, &off, &vsize) || btf_type(b, vt, &var) || !var.name)
				continue;
			/* a same-named symbol of another section (a static of the same name) is not this one */
			for (unsigned k = 1; k < elf_nsyms(e); k++)
				if (!elf_symbol(e, k, &sym) && sym.type == STT_OBJECT && sym.shndx == sec &&
				    !rb_strcmp(sym.name, var.name) && sym.value <= 0xffffffffu) {
					u32 value = (u32)sym.value;
					memcpy(rec + 12 + (u64)v * 12 + 4, &value, 4);
					break;
				}
		}
	}
	ext_btf_fixup(o, copy);
	*size = b->size;
	return copy;
}
